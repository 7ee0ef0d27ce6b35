from __future__ import annotations

import json
from pathlib import Path

import pytest

from codejury.errors import InvalidInput
from codejury.export.writers import content_hash, write_rows

ROWS = [
    {"prompt": "p1", "chosen": "a", "rejected": "b", "task_id": "t1", "split": "train"},
    {"prompt": "p2", "chosen": "c", "rejected": "d", "task_id": "t2", "split": "test"},
]


def test_jsonl_round_trips(tmp_path: Path) -> None:
    written = write_rows(ROWS, "jsonl", tmp_path, "preferences")
    lines = written.path.read_text().splitlines()
    assert [json.loads(line) for line in lines] == ROWS
    assert written.content_hash == content_hash(ROWS)


def test_parquet_holds_the_same_rows(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    written = write_rows(ROWS, "parquet", tmp_path, "preferences")
    assert pq.read_table(written.path).to_pylist() == ROWS


def test_hf_saves_one_split_per_split_value(tmp_path: Path) -> None:
    pytest.importorskip("datasets")
    from datasets import load_from_disk

    written = write_rows(ROWS, "hf", tmp_path, "preferences")
    dd = load_from_disk(str(written.path))
    assert sorted(dd) == ["test", "train"]
    assert dd["test"][0]["task_id"] == "t2"


def test_hash_depends_on_content_not_format(tmp_path: Path) -> None:
    a = write_rows(ROWS, "jsonl", tmp_path / "a", "x").content_hash
    b = write_rows(ROWS, "parquet", tmp_path / "b", "x").content_hash
    changed = [dict(ROWS[0], chosen="z"), ROWS[1]]
    assert a == b != content_hash(changed)


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="unknown export format"):
        write_rows(ROWS, "csv", tmp_path, "x")
