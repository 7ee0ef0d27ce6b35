"""The one place where domain errors become HTTP responses.

API paths get JSON ``{"error": kind, "detail": message, "problems": [...]}``; pages get a redirect to the
login page when there is no session, and an error page otherwise.

Pages also explain forms that can no longer be accepted, and never accept them:

- a form sent without a valid session (logged out in another tab, or the session ended) leads to the
  login page, which says the form was not saved and, after login, returns to the page the form came
  from (the same-site ``Referer``; never the address the form was sent to, which may only take posts);
- a form whose CSRF token belongs to an earlier session (logged out and in again since) gets an error
  page that says so, with a link back to a fresh copy of the page it came from.

Return addresses are same-site paths only (``safe_next``), so none of this is an open redirect.
"""

from __future__ import annotations

import hmac
from urllib.parse import quote, urlencode, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from codejury.accounts import COOKIE_NAME
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
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
STALE_FORM = (
    "This form was not sent, and nothing was changed: it was opened under an earlier login "
    "(for example, you logged out and in again in another tab since). Open the page again "
    "to get a fresh copy of the form, then send it once more."
)


def status_for(exc: CodeJuryError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    )


def came_from(request: Request) -> str | None:
    """The same-site page a request was sent from (its ``Referer``), as a path; None otherwise."""
    from codejury.web.pages.common import safe_next

    referer = urlsplit(request.headers.get("referer", ""))
    if not referer.path or referer.netloc != request.url.netloc:
        return None
    target = referer.path + (f"?{referer.query}" if referer.query else "")
    path = safe_next(target)
    return path if path == target else None


def _login_redirect(request: Request) -> RedirectResponse:
    """To the login page, coming back afterwards to the page asked for (or the form's page)."""
    params: dict[str, str]
    if request.url.path == "/logout":
        params = {"notice": "logged_out"}  # the session is over already: nothing was lost
    elif request.method in UNSAFE:
        params = {"next": came_from(request) or "/", "notice": "form_not_sent"}
    else:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        params = {"next": target}
        if COOKIE_NAME in request.cookies:
            params["notice"] = "session_ended"
    query = urlencode(params, safe="/", quote_via=quote)
    return RedirectResponse(f"/login?{query}", status_code=303)


async def _stale_form(request: Request, exc: CodeJuryError) -> bool:
    """Whether ``exc`` is the CSRF check refusing a token that is not this session's.

    The session's token is on ``request.state`` once the cookie was accepted; the form was already
    read (and kept) by that check, so reading it here sends nothing new over the wire.
    """
    expected = getattr(request.state, "csrf_token", None)
    if not isinstance(exc, Forbidden) or request.method not in UNSAFE or not expected:
        return False
    sent = request.headers.get("x-csrf-token")
    content_type = request.headers.get("content-type", "")
    if not sent and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get("csrf_token")
        sent = value if isinstance(value, str) else None
    return not sent or not hmac.compare_digest(sent.encode(), str(expected).encode())


async def _page(request: Request, exc: CodeJuryError, status: int) -> Response:
    from codejury.web.templating import render

    context: dict[str, object] = {
        "status": status,
        "message": exc.args[0] if exc.args else str(exc),
        "problems": getattr(exc, "problems", []),
        "back": came_from(request),
    }
    if await _stale_form(request, exc):
        context.update(
            title="This form has expired",
            message=STALE_FORM,
            problems=[],
            back_label="Open the form again",
        )
    return render(request, "error.html", context, status_code=status)


async def handle(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CodeJuryError)
    status = status_for(exc)
    if not is_api(request):
        if isinstance(exc, Unauthenticated):
            return _login_redirect(request)
        return await _page(request, exc, status)
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


PLAIN_WORDS = {
    404: "There is no page at this address. It may have moved, or the link may be mistyped.",
    405: "This address does not take that kind of request (a form may have been opened as a link).",
}


async def handle_http(request: Request, exc: Exception) -> Response:
    """The framework's own errors (no such route, wrong method) answer like the studio's: the error
    page for people, ``{"error", "detail"}`` for programs."""
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if is_api(request):
        body = {"error": _http_error_name(exc.status_code), "detail": exc.detail}
        return JSONResponse(body, status_code=exc.status_code, headers=headers)
    from codejury.web.templating import render

    context: dict[str, object] = {
        "status": exc.status_code,
        "message": PLAIN_WORDS.get(exc.status_code, str(exc.detail)),
        "problems": [],
        "back": came_from(request),
    }
    response = render(request, "error.html", context, status_code=exc.status_code)
    response.headers.update(headers)
    return response


def _http_error_name(status: int) -> str:
    for cls, code in STATUS.items():
        if code == status:
            return cls.__name__
    return "HTTPError"


def install(app: FastAPI) -> None:
    app.add_exception_handler(CodeJuryError, handle)
    app.add_exception_handler(RequestValidationError, handle_validation)
    app.add_exception_handler(HTTPException, handle_http)
