"""Request dependencies: the database session, the current user (cookie or API token) and CSRF.

Cookie sessions must send the CSRF token with every unsafe request (form field ``csrf_token`` or header
``X-CSRF-Token``); API tokens (``Authorization: Bearer cj_…``) need none, since browsers never attach them
on their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from codejury.accounts import (
    COOKIE_NAME,
    authenticate_token,
    check_csrf,
    client_address,
    csrf_token,
    load_session,
)
from codejury.accounts.access import require_role
from codejury.config import Settings
from codejury.db import Database
from codejury.db.models import User
from codejury.errors import Unauthenticated

SESSION_MAX_AGE = 7 * 24 * 3600
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


# The small dependencies are coroutines: FastAPI runs a plain ``def`` dependency in its thread
# pool, a hop that costs more than the work of these.


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def get_database(request: Request) -> Database:
    return _database(request)


def get_session(request: Request) -> Iterator[Session]:
    with _database(request).session() as session:
        yield session


DbSession = Annotated[Session, Depends(get_session)]
AppSettings = Annotated[Settings, Depends(get_settings)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def _csrf_from(request: Request) -> str | None:
    token = request.headers.get("x-csrf-token")
    if token:
        return token
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


def _identify(
    request: Request, session: DbSession, settings: AppSettings
) -> tuple[User | None, str | None]:
    """The caller and their session cookie (if that is how they came). Sync: runs in the thread pool,
    so database waits never block the event loop."""
    token = _bearer(request)
    if token is not None:
        user = authenticate_token(session, token)
        session.commit()  # end the read transaction before the endpoint runs
        request.state.user = user
        return user, None
    cookie = request.cookies.get(COOKIE_NAME)
    if not cookie:
        return None, None
    secret = settings.resolved_secret_key
    user = load_session(session, cookie, SESSION_MAX_AGE, secret=secret)
    session.commit()  # end the read transaction before the endpoint runs
    request.state.user = user
    request.state.csrf_token = csrf_token(cookie, secret)
    return user, cookie


async def optional_user(
    request: Request,
    identity: Annotated[tuple[User | None, str | None], Depends(_identify)],
    settings: AppSettings,
) -> User | None:
    """The caller, or None when there is no credential at all (a bad one is an error).
    Cookie sessions must carry the CSRF token on unsafe methods."""
    user, cookie = identity
    if cookie is not None and request.method in UNSAFE:
        check_csrf(cookie, await _csrf_from(request), settings.resolved_secret_key)
    return user


async def current_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise Unauthenticated("log in first (session cookie or Authorization: Bearer token)")
    return user


CurrentUser = Annotated[User, Depends(current_user)]
MaybeUser = Annotated[User | None, Depends(optional_user)]


async def staff(user: CurrentUser) -> User:
    require_role(user, "admin", "manager")
    return user


async def admin(user: CurrentUser) -> User:
    require_role(user, "admin")
    return user


Staff = Annotated[User, Depends(staff)]
Admin = Annotated[User, Depends(admin)]


async def peer_address(request: Request, settings: AppSettings) -> str:
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers, settings.trusted_proxies)


ClientAddress = Annotated[str, Depends(peer_address)]
