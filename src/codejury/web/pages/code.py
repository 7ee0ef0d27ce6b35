"""Candidate code for the judging page: highlighted line by line, and a line diff of two candidates.

Pygments escapes every token it emits, so model output never reaches the page as markup; each line
of its output closes its own tags, which lets the page number and select lines one by one.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache
from typing import Any

from markupsafe import Markup, escape

MAX_HIGHLIGHT_CHARS = 200_000


@cache
def _formatter() -> Any:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(nowrap=True, classprefix="t-")


def _lexer(language: str) -> Any:
    from pygments.lexers import get_lexer_by_name
    from pygments.lexers.special import TextLexer
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(language.lower(), stripnl=False, ensurenl=False)
    except ClassNotFound:
        return TextLexer(stripnl=False, ensurenl=False)


def highlight_lines(code: str, language: str) -> list[Markup]:
    """One safe HTML fragment per source line (same count as ``code.split("\\n")``, minus a
    final empty line)."""
    lines = code.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(code) > MAX_HIGHLIGHT_CHARS:
        return [escape(line) for line in lines]
    from pygments import highlight

    html = highlight("\n".join(lines), _lexer(language), _formatter())
    if html.endswith("\n"):
        html = html[:-1]
    out = [Markup(part) for part in html.split("\n")]
    if len(out) != len(lines):  # never expected; fall back to plain escaped text
        return [escape(line) for line in lines]
    return out


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same" | "add" | "del" | "hunk"
    text: str


def line_diff(a: str, b: str, context: int = 3) -> list[DiffLine]:
    """A unified diff of two candidates as typed lines (text is escaped by the template)."""
    out: list[DiffLine] = []
    diff = difflib.unified_diff(a.splitlines(), b.splitlines(), "A", "B", n=context, lineterm="")
    for line in list(diff)[2:]:
        if line.startswith("@@"):
            out.append(DiffLine("hunk", line))
        elif line.startswith("+"):
            out.append(DiffLine("add", line[1:]))
        elif line.startswith("-"):
            out.append(DiffLine("del", line[1:]))
        else:
            out.append(DiffLine("same", line[1:]))
    return out
