"""The one place where domain errors become HTTP responses.

API paths get JSON ``{"error": kind, "detail": message, "problems": [...]}``; pages get a redirect to the
login page when there is no session, and an error page otherwise.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response

from codejury.errors import (
    CodeJuryError,
    Conflict,
    DependencyMissing,
    Forbidden,
    InvalidInput,
    NotFound,
    RateLimited,
    SandboxUnavailable,
    Unauthenticated,
)

STATUS: dict[type[CodeJuryError], int] = {
    NotFound: 404,
    Conflict: 409,
    InvalidInput: 422,
    Forbidden: 403,
    Unauthenticated: 401,
    RateLimited: 429,
    SandboxUnavailable: 503,
    DependencyMissing: 501,
}


def status_for(exc: CodeJuryError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    )


async def handle(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CodeJuryError)
    status = status_for(exc)
    if not is_api(request):
        if isinstance(exc, Unauthenticated):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            from urllib.parse import quote

            return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        from codejury.web.templating import render

        return render(
            request,
            "error.html",
            {
                "status": status,
                "message": exc.args[0] if exc.args else str(exc),
                "problems": getattr(exc, "problems", []),
            },
            status_code=status,
        )
    body: dict[str, object] = {
        "error": type(exc).__name__,
        "detail": exc.args[0] if exc.args else str(exc),
    }
    if isinstance(exc, InvalidInput):
        body["problems"] = exc.problems
    headers = {}
    retry_after = getattr(exc, "retry_after", None)
    if isinstance(exc, RateLimited) and retry_after:
        headers["Retry-After"] = str(retry_after)
    return JSONResponse(body, status_code=status, headers=headers)


async def handle_validation(request: Request, exc: Exception) -> Response:
    """Request bodies that fail validation answer like every other bad input: each problem names its field."""
    assert isinstance(exc, RequestValidationError)
    problems = [f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()]
    return await handle(request, InvalidInput("invalid request", problems))


def install(app: FastAPI) -> None:
    app.add_exception_handler(CodeJuryError, handle)
    app.add_exception_handler(RequestValidationError, handle_validation)
