"""Jinja2 templates with autoescaping everywhere: model output is untrusted text."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    from codejury.web import filters

    filters.install(env)
    return env


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    user = getattr(request.state, "user", None)
    base = {
        "request": request,
        "user": user,
        "csrf_token": getattr(request.state, "csrf_token", ""),
    }
    html = environment().get_template(name).render({**base, **context})
    return HTMLResponse(html, status_code=status_code)
