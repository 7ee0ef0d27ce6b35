"""Write export rows as JSON Lines, Parquet, or a Hugging Face ``DatasetDict`` saved to disk.

Every format holds the same rows; ``content_hash`` is the SHA-256 of the rows as canonical JSON
lines (sorted keys, one row per line), so it does not depend on the format chosen.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from codejury.errors import DependencyMissing, InvalidInput

Format = Literal["jsonl", "parquet", "hf"]
FORMATS = ("jsonl", "parquet", "hf")
HF_FOLDER = "data"


@dataclass(frozen=True)
class Written:
    path: Path
    content_hash: str
    rows: int


def content_hash(rows: Sequence[dict[str, Any]]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps(row, sort_keys=True, ensure_ascii=False).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def write_rows(rows: Sequence[dict[str, Any]], fmt: str, out: Path, name: str) -> Written:
    """Write ``rows`` into the folder ``out`` (created) as ``<name>.jsonl``, ``<name>.parquet`` or
    ``data/`` (``hf``, one split per distinct ``split`` value, ``train`` when there is none)."""
    if fmt not in FORMATS:
        raise InvalidInput("unknown export format", [f"format: {fmt!r} is not one of {FORMATS}"])
    out.mkdir(parents=True, exist_ok=True)
    if fmt == "jsonl":
        path = out / f"{name}.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    elif fmt == "parquet":
        path = out / f"{name}.parquet"
        _write_parquet(rows, path)
    else:
        path = out / HF_FOLDER
        _write_hf(rows, path)
    return Written(path, content_hash(rows), len(rows))


def _write_parquet(rows: Sequence[dict[str, Any]], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(list(rows)), path)


def _write_hf(rows: Sequence[dict[str, Any]], path: Path) -> None:
    try:
        from datasets import Dataset, DatasetDict
    except ImportError:
        raise DependencyMissing(
            "the hf format needs the datasets library: pip install 'codejury[train]'"
        )
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(str(row.get("split", "train")), []).append(row)
    if not groups:
        groups["train"] = []
    DatasetDict({split: Dataset.from_list(group) for split, group in groups.items()}).save_to_disk(
        str(path)
    )
