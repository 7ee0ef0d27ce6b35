"""Read task files (JSONL, CSV, Parquet) into validated ``TaskIn`` rows, or fail listing every bad line."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from codejury.errors import InvalidInput
from codejury.tasks.schema import TaskIn

JSON_COLUMNS = ("prompt", "tags", "tests", "candidates")


def read_tasks(path: Path) -> list[tuple[int, TaskIn]]:
    """Every task of the file with its line (JSONL, CSV) or row (Parquet) number.

    Raises ``InvalidInput`` whose problems read ``FILE:LINE: field: problem``, one per problem.
    """
    if not path.exists():
        raise InvalidInput(f"{path}: no such file")
    problems: list[str] = []
    tasks: list[tuple[int, TaskIn]] = []
    seen: dict[str, int] = {}
    for line, raw in _records(path, problems):
        try:
            task = TaskIn.model_validate(raw)
        except ValidationError as exc:
            problems.extend(
                f"{path}:{line}: {_loc(err['loc'])}: {err['msg']}" for err in exc.errors()
            )
            continue
        if task.external_id in seen:
            problems.append(
                f"{path}:{line}: external_id: {task.external_id!r} already used on line {seen[task.external_id]}"
            )
            continue
        seen[task.external_id] = line
        tasks.append((line, task))
    if problems:
        raise InvalidInput(f"{path}: {len(problems)} problem(s); nothing was imported", problems)
    return tasks


def _loc(loc: tuple[Any, ...]) -> str:
    # pydantic names union members (e.g. "str", "list[Message]"); keep only the data path.
    parts = [
        str(p)
        for p in loc
        if not (isinstance(p, str) and ("[" in p or p in {"str", "int", "float", "bool"}))
    ]
    return ".".join(parts) or "record"


def _records(path: Path, problems: list[str]) -> Iterator[tuple[int, Any]]:
    suffix = "".join(path.suffixes[-1:]).lower()
    if suffix in (".jsonl", ".json", ".ndjson"):
        yield from _jsonl(path, problems)
    elif suffix == ".csv":
        yield from _csv(path, problems)
    elif suffix == ".parquet":
        yield from _parquet(path, problems)
    else:
        raise InvalidInput(f"{path}: unknown file type {suffix!r}; use .jsonl, .csv or .parquet")


def _jsonl(path: Path, problems: list[str]) -> Iterator[tuple[int, Any]]:
    with path.open(encoding="utf-8") as fh:
        for number, text in enumerate(fh, start=1):
            if not text.strip():
                continue
            try:
                record = json.loads(text.rstrip("\r\n"))
            except json.JSONDecodeError as exc:
                problems.append(
                    f"{path}:{number}: record: not valid JSON ({exc.msg} at column {exc.colno})"
                )
                continue
            if not isinstance(record, dict):
                problems.append(f"{path}:{number}: record: expected a JSON object")
                continue
            yield number, record


def _csv(path: Path, problems: list[str]) -> Iterator[tuple[int, Any]]:
    """CSV: one task per row; prompt/tags/tests/candidates cells may hold JSON."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        for row in reader:
            record = {k: v for k, v in row.items() if v not in (None, "")}
            yield reader.line_num, _decode_json_cells(record, f"{path}:{reader.line_num}", problems)


def _parquet(path: Path, problems: list[str]) -> Iterator[tuple[int, Any]]:
    """Parquet: nested columns, or JSON text in prompt/tags/tests/candidates, as in CSV."""
    import pyarrow.parquet as pq

    for number, row in enumerate(pq.read_table(path).to_pylist(), start=1):
        record = {k: v for k, v in row.items() if v is not None}
        yield number, _decode_json_cells(record, f"{path}:{number}", problems)


def _decode_json_cells(record: dict[str, Any], where: str, problems: list[str]) -> dict[str, Any]:
    for column in JSON_COLUMNS:
        cell = record.get(column)
        if isinstance(cell, str) and cell[:1] in "[{":
            try:
                record[column] = json.loads(cell)
            except json.JSONDecodeError as exc:
                problems.append(f"{where}: {column}: not valid JSON ({exc.msg})")
    return record
