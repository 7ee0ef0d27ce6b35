"""``codejury export preferences|ratings|spans``: TRL-ready datasets with provenance.

The commands join the ``export`` group that ``cli/exports.py`` defines.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

import typer

from codejury.cli.common import console, session
from codejury.errors import InvalidInput
from codejury.export.preferences import PromptStyle, Variant
from codejury.export.queries import ExportFilters
from codejury.export.store import ExportRecord, export_preferences, export_ratings, export_spans

FORMAT = typer.Option("jsonl", "--format", "-f", help="jsonl, parquet or hf (a saved DatasetDict).")
OUT = typer.Option(None, "--out", "-o", help="Output folder (default: <data dir>/exports/<id>).")
LANGUAGE = typer.Option(None, "--language", help="Only tasks in this language.")
KIND = typer.Option(None, "--kind", help="Only tasks of this kind.")
TAG = typer.Option([], "--tag", help="Only tasks with this tag, as key=value (repeatable).")
MIN_CONF = typer.Option(0.0, "--min-confidence", help="Drop pairs whose consensus is less sure.")
EXCLUDE = typer.Option([], "--exclude-annotator", help="Leave out this pseudonym (repeatable).")
GOLD = typer.Option(False, "--include-gold", help="Include gold (known-answer) items.")
TEST = typer.Option(0.1, "--test-fraction", help="Share of tasks in the test split.")


def _filters(
    language: str | None,
    kind: str | None,
    tags: list[str],
    min_confidence: float,
    exclude: list[str],
    include_gold: bool,
) -> ExportFilters:
    bad = [f"--tag {t!r}: expected key=value" for t in tags if "=" not in t]
    if bad:
        raise InvalidInput("bad tag filter", bad)
    return ExportFilters(
        language=language,
        kind=kind,
        tags=dict(t.split("=", 1) for t in tags),
        min_confidence=min_confidence,
        exclude_annotators=tuple(exclude),
        include_gold=include_gold,
    )


def _show(record: ExportRecord) -> None:
    splits = ", ".join(f"{k} {v}" for k, v in record.splits.items())
    console.print(f"{record.public_id}: {record.row_count} {record.kind} rows ({splits})")
    console.print(f"written to {record.path} (sha256 {record.content_hash[:16]}…)")
    console.print(f"annotators: {len(record.contributors)}")


def preferences(
    project: str,
    fmt: str = FORMAT,
    out: Path | None = OUT,
    variant: str = typer.Option("standard", help="standard (text) or conversational (messages)."),
    prompt_style: str = typer.Option(
        "explicit", help="explicit (prompt column, for DPO) or implicit (prompt inside, for RM)."
    ),
    margin: bool = typer.Option(
        False, "--margin", help="Add a margin column (strength × confidence)."
    ),
    consensus: str = typer.Option(
        "auto",
        help="auto (Dawid–Skene with enough data, else majority), majority or dawid-skene.",
    ),
    language: str | None = LANGUAGE,
    kind: str | None = KIND,
    tag: list[str] = TAG,
    min_confidence: float = MIN_CONF,
    exclude_annotator: list[str] = EXCLUDE,
    include_gold: bool = GOLD,
    test_fraction: float = TEST,
) -> None:
    """Preference pairs (prompt / chosen / rejected) from the judges' consensus."""
    with session() as s:
        filters = _filters(language, kind, tag, min_confidence, exclude_annotator, include_gold)
        _show(
            export_preferences(
                s,
                project,
                fmt=fmt,
                out=out,
                variant=cast(Variant, variant),
                prompt_style=cast(PromptStyle, prompt_style),
                filters=filters,
                margin=margin,
                consensus=consensus,
                test_fraction=test_fraction,
            )
        )


def ratings(
    project: str,
    fmt: str = FORMAT,
    out: Path | None = OUT,
    language: str | None = LANGUAGE,
    kind: str | None = KIND,
    tag: list[str] = TAG,
    exclude_annotator: list[str] = EXCLUDE,
    include_gold: bool = GOLD,
    test_fraction: float = TEST,
) -> None:
    """Mean rubric ratings per candidate, one column per criterion."""
    with session() as s:
        filters = _filters(language, kind, tag, 0.0, exclude_annotator, include_gold)
        _show(
            export_ratings(
                s, project, fmt=fmt, out=out, filters=filters, test_fraction=test_fraction
            )
        )


def spans(
    project: str,
    fmt: str = FORMAT,
    out: Path | None = OUT,
    language: str | None = LANGUAGE,
    kind: str | None = KIND,
    tag: list[str] = TAG,
    exclude_annotator: list[str] = EXCLUDE,
    include_gold: bool = GOLD,
    test_fraction: float = TEST,
) -> None:
    """Error spans flagged per judged candidate."""
    with session() as s:
        filters = _filters(language, kind, tag, 0.0, exclude_annotator, include_gold)
        _show(
            export_spans(s, project, fmt=fmt, out=out, filters=filters, test_fraction=test_fraction)
        )


def register(app: typer.Typer) -> None:
    from codejury.cli.exports import export_app

    export_app.command("preferences")(preferences)
    export_app.command("ratings")(ratings)
    export_app.command("spans")(spans)
