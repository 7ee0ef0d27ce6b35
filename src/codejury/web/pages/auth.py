"""Logging in and out, and setting a password from an invitation or reset link.

These forms come before a session, so they carry the pre-session CSRF token (``pages/common.py``).
When it no longer matches (the form was open longer than the token lives, or it came from another
site), nothing is done and the form is shown again with a fresh token and a clear message, keeping
the email and the page to return to; passwords are never sent back.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from codejury.accounts import authenticate_password, dump_session, peek, redeem
from codejury.errors import Forbidden, InvalidInput, RateLimited, Unauthenticated
from codejury.web.deps import ClientAddress, DbSession, MaybeUser
from codejury.web.pages.common import (
    check_pre_session,
    clear_session,
    form_str,
    pre_session_token,
    redirect,
    safe_next,
    set_session,
    settings_of,
)
from codejury.web.templating import render

router = APIRouter(include_in_schema=False)
LOGIN_EXPIRED = (
    "The login form had expired, so you are not logged in yet. Please enter your password again."
)
PASSWORD_EXPIRED = "This form had expired, so your password was not set. Please enter it again."


@router.get("/")
def home(user: MaybeUser) -> RedirectResponse:
    return redirect("/projects" if user else "/login")


def _login_page(
    request: Request,
    error: str = "",
    email: str = "",
    status: int = 200,
    next_path: str | None = None,
) -> Response:
    """The login form with a fresh token; ``next_path`` (else the query's ``next``) is kept."""
    response = HTMLResponse("")
    token = pre_session_token(request, response)
    context = {
        "login_token": token,
        "error": error,
        "email": email,
        "next": safe_next(request.query_params.get("next") if next_path is None else next_path),
    }
    page = render(request, "login.html", context, status_code=status)
    page.raw_headers.extend(h for h in response.raw_headers if h[0] == b"set-cookie")
    return page


@router.get("/login")
def login_form(request: Request) -> Response:
    return _login_page(request)


@router.post("/login")
async def login(request: Request, session: DbSession, client: ClientAddress) -> Response:
    form = await request.form()
    email, next_path = form_str(form, "email"), form_str(form, "next")
    try:
        check_pre_session(request, form_str(form, "csrf_token"))
    except Forbidden:
        return _login_page(request, LOGIN_EXPIRED, email, status=403, next_path=next_path)
    password = str(form.get("password") or "")
    try:
        user = authenticate_password(session, email, password, client_addr=client)
    except (Unauthenticated, RateLimited) as exc:
        return _login_page(request, str(exc.args[0]), email, status=401, next_path=next_path)
    settings = settings_of(request)
    response = redirect(safe_next(next_path))
    set_session(response, dump_session(user, secret=settings.resolved_secret_key), settings)
    return response


@router.post("/logout")
def logout(request: Request, user: MaybeUser) -> Response:
    """Needs the session's CSRF token (checked by the dependency), so no other site can log you out."""
    response = redirect("/login", "logged_out")
    clear_session(response, settings_of(request))
    return response


def _password_page(
    request: Request,
    kind: str,
    token: str,
    session: DbSession,
    error: str = "",
    status: int | None = None,
) -> Response:
    link_kind: Literal["invite", "reset"] = "invite" if kind == "invite" else "reset"
    try:
        peek(session, token, kind=link_kind)
    except Unauthenticated as exc:
        return render(request, "error.html", {"status": 410, "message": exc.args[0]}, 410)
    response = HTMLResponse("")
    context = {
        "kind": kind,
        "login_token": pre_session_token(request, response),
        "error": error,
    }
    status = status or (422 if error else 200)
    page = render(request, "set_password.html", context, status_code=status)
    page.raw_headers.extend(h for h in response.raw_headers if h[0] == b"set-cookie")
    return page


async def _set_password(request: Request, kind: str, token: str, session: DbSession) -> Response:
    form = await request.form()
    try:
        check_pre_session(request, form_str(form, "csrf_token"))
    except Forbidden:
        return _password_page(request, kind, token, session, PASSWORD_EXPIRED, status=403)
    password = str(form.get("password") or "")
    if password != str(form.get("confirm") or ""):
        return _password_page(request, kind, token, session, "The two passwords differ.")
    try:
        redeem(session, token, password, kind="invite" if kind == "invite" else "reset")
    except InvalidInput as exc:
        return _password_page(request, kind, token, session, "; ".join(exc.problems) or str(exc))
    return redirect("/login", "password_set")


@router.get("/invite/{token}")
def invite_form(request: Request, token: str, session: DbSession) -> Response:
    return _password_page(request, "invite", token, session)


@router.post("/invite/{token}")
async def invite(request: Request, token: str, session: DbSession) -> Response:
    return await _set_password(request, "invite", token, session)


@router.get("/reset/{token}")
def reset_form(request: Request, token: str, session: DbSession) -> Response:
    return _password_page(request, "reset", token, session)


@router.post("/reset/{token}")
async def reset(request: Request, token: str, session: DbSession) -> Response:
    return await _set_password(request, "reset", token, session)
