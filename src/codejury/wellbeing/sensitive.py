"""Sensitive content: which labels a project or a task carries, and who has opted in to them.

- A project with ``sensitive = True`` carries its ``content_warnings`` as labels (or the single
  label ``sensitive`` when it lists none). Its work goes only to annotators whose
  ``sensitive_opt_ins`` hold every one of those labels.
- ``Project.sensitive_tags`` lists entries that mark a *task* sensitive: ``key`` (the task has the
  tag, with a value other than null) or ``key=value`` (the tag's value is ``value``, compared as
  text; for a list-valued tag, any element). Each entry is its own label: a task marked by an
  entry goes only to annotators who opted in to that entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, false, or_

from codejury.db.models import Project, Task

DEFAULT_LABEL = "sensitive"
BOOL_TEXT = {"true": "1", "false": "0"}


def project_labels(project: Project) -> list[str]:
    """The labels a sensitive project carries ([] for a project that is not sensitive)."""
    if not project.sensitive:
        return []
    labels = [str(w).strip() for w in project.content_warnings or [] if str(w).strip()]
    return labels or [DEFAULT_LABEL]


def tag_entries(project: Project) -> list[str]:
    return [str(e).strip() for e in project.sensitive_tags or [] if str(e).strip()]


def all_labels(projects: Iterable[Project]) -> list[str]:
    """Every label the given projects use, for the opt-in form."""
    found: set[str] = set()
    for project in projects:
        found.update(project_labels(project))
        found.update(tag_entries(project))
    return sorted(found)


def opted_in(opt_ins: Sequence[Any] | None) -> set[str]:
    return {str(o).strip() for o in opt_ins or [] if str(o).strip()}


def missing_project_labels(project: Project, opt_ins: Sequence[Any] | None) -> list[str]:
    """The project's labels the annotator has not opted in to."""
    accepted = opted_in(opt_ins)
    return [label for label in project_labels(project) if label not in accepted]


def split_entry(entry: str) -> tuple[str, str | None]:
    key, sep, value = entry.partition("=")
    return key.strip(), (value.strip() if sep else None)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def task_marked(tags: Mapping[str, Any] | None, entry: str) -> bool:
    """Whether a task with ``tags`` is marked sensitive by one ``sensitive_tags`` entry."""
    key, value = split_entry(entry)
    present = (tags or {}).get(key)
    if present is None:
        return False
    if value is None:
        return True
    values = present if isinstance(present, list) else [present]
    return any(_text(v) == value for v in values)


def task_labels(tags: Mapping[str, Any] | None, entries: Iterable[str]) -> list[str]:
    """The entries that mark a task with ``tags`` sensitive."""
    return [e for e in entries if task_marked(tags, e)]


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def marked_condition(entry: str) -> ColumnElement[bool]:
    """SQL twin of ``task_marked`` on ``Task.tags`` (SQLite and PostgreSQL), never NULL."""
    key, value = split_entry(entry)
    if not key:
        return false()
    text = Task.tags[key].as_string()
    if value is None:
        return text.is_not(None)
    as_text = cast(text, String)
    in_list = as_text.like(f'%"{_like_escape(value)}"%', escape="\\")
    # SQLite gives JSON true/false back as 1/0: match those too (marking more is the safe side).
    same = [as_text == value, *([as_text == BOOL_TEXT[value]] if value in BOOL_TEXT else [])]
    return and_(text.is_not(None), or_(*same, and_(as_text.like("[%"), in_list)))
