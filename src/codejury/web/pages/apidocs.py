"""``/api/docs``: the REST API's reference, rendered here from the OpenAPI schema.

Served by the studio itself (no assets from elsewhere), so it works offline and under the studio's
Content-Security-Policy. The machine-readable schema is at ``/api/v1/openapi.json``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from codejury.web.templating import render

router = APIRouter(include_in_schema=False)
METHODS = ("get", "post", "put", "patch", "delete")


def operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per (path, method), grouped by tag, in schema order."""
    rows = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            rows.append({
                "tag": (op.get("tags") or ["other"])[0],
                "method": method.upper(),
                "path": path,
                "summary": op.get("summary", ""),
                "description": op.get("description", ""),
                "parameters": [
                    {"name": p["name"], "in": p["in"], "required": p.get("required", False)}
                    for p in op.get("parameters", [])
                ],
                "body": "requestBody" in op,
            })  # fmt: skip
    return sorted(rows, key=lambda r: r["tag"])


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    schema = request.app.openapi()
    return render(
        request, "apidocs.html", {"operations": operations(schema), "info": schema.get("info", {})}
    )
