from pathlib import Path

from codejury.config import Settings

DOC = Path(__file__).parents[2] / "docs" / "configuration.md"


def test_every_setting_is_documented() -> None:
    text = DOC.read_text()
    missing = [name for name in Settings.model_fields if f"`CODEJURY_{name.upper()}`" not in text]
    assert missing == []


def test_every_documented_setting_exists() -> None:
    import re

    documented = set(re.findall(r"`CODEJURY_([A-Z_]+)`", DOC.read_text()))
    assert documented <= {name.upper() for name in Settings.model_fields}
