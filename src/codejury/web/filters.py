"""Template filters: Markdown (raw HTML disabled), times in the viewer's zone, money, evidence."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment
from markupsafe import Markup


def markdown(text: str | None) -> Markup:
    from markdown_it import MarkdownIt

    # html=False: any HTML in the source is shown as text, never rendered.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False})
    return Markup(md.render(text or ""))


def local_time(value: datetime | None, tz: str = "UTC", fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    try:
        zone = ZoneInfo(tz)
    except Exception:
        zone = ZoneInfo("UTC")
    return value.astimezone(zone).strftime(fmt) + f" {value.astimezone(zone).tzname()}"


def money(value: Decimal | float | None, currency: str = "USD") -> str:
    if value is None:
        return ""
    return f"{Decimal(value).quantize(Decimal('0.01')):,} {currency}"


def evidence(facts: Mapping[str, Any] | None, sep: str = ", ") -> str:
    """A flag's or a review's evidence as people read it: ``min seconds 10, median seconds 0.0067``.
    Missing facts are left out; numbers keep three significant digits."""
    shown = []
    for key, value in (facts or {}).items():
        if value is None:
            continue
        if isinstance(value, float):
            value = f"{value:.3g}"
        elif isinstance(value, list | tuple):
            value = " ".join(str(v) for v in value)
        shown.append(f"{str(key).replace('_', ' ')} {value}")
    return sep.join(shown)


def install(env: Environment) -> None:
    env.filters["markdown"] = markdown
    env.filters["local_time"] = local_time
    env.filters["money"] = money
    env.filters["evidence"] = evidence
