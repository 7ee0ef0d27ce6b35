import enum
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from codejury.accounts.audit import _jsonable_dict


class Colour(enum.Enum):
    RED = "red"


def test_values_become_json() -> None:
    value = {
        "at": datetime(2025, 1, 2, 3, 4, tzinfo=UTC),
        "pay": Decimal("12.50"),
        "colour": Colour.RED,
        "skills": ("python", "go"),
        "tags": {"b", "a"},
        "nested": {1: None},
    }
    assert _jsonable_dict(value) == {
        "at": "2025-01-02T03:04:00+00:00",
        "pay": "12.50",
        "colour": "red",
        "skills": ["python", "go"],
        "tags": ["a", "b"],
        "nested": {"1": None},
    }
    assert _jsonable_dict(None) is None


def test_unknown_values_are_refused() -> None:
    with pytest.raises(TypeError, match="object"):
        _jsonable_dict({"x": object()})
