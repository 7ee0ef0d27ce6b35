"""What the page modules share: the session cookie, the pre-session CSRF token, redirects, flashes.

Logging in happens before there is a session, so the login form carries its own CSRF token: a random
value in a short-lived cookie (``codejury_login``) and, in the form, an HMAC of that value under the
secret key. A forged cross-site post cannot read the cookie, so it cannot produce the matching field.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlparse

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from codejury.accounts import COOKIE_NAME
from codejury.config import Settings
from codejury.db.base import utcnow
from codejury.db.models import PayRate, Project
from codejury.errors import Forbidden
from codejury.web.deps import SESSION_MAX_AGE

PRE_COOKIE = "codejury_login"
PRE_MAX_AGE = 3600


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _cookie_args(settings: Settings) -> dict[str, Any]:
    return {"httponly": True, "samesite": "lax", "secure": settings.https, "path": "/"}


def set_session(response: Response, cookie: str, settings: Settings) -> None:
    response.set_cookie(COOKIE_NAME, cookie, max_age=SESSION_MAX_AGE, **_cookie_args(settings))


def clear_session(response: Response, settings: Settings) -> None:
    response.delete_cookie(COOKIE_NAME, **_cookie_args(settings))


def _pre_mac(value: str, secret: str) -> str:
    key = hashlib.sha256(("codejury.login-csrf:" + secret).encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def pre_session_token(request: Request, response: Response) -> str:
    """The form token for a page shown before login; sets the cookie it is checked against."""
    settings = settings_of(request)
    value = request.cookies.get(PRE_COOKIE) or secrets.token_urlsafe(24)
    response.set_cookie(PRE_COOKIE, value, max_age=PRE_MAX_AGE, **_cookie_args(settings))
    return _pre_mac(value, settings.resolved_secret_key)


def check_pre_session(request: Request, token: str | None) -> None:
    value = request.cookies.get(PRE_COOKIE)
    expected = _pre_mac(value, settings_of(request).resolved_secret_key) if value else ""
    if not value or not token or not hmac.compare_digest(expected, token):
        raise Forbidden("the form expired or came from another site; reload the page and try again")


def safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    parsed = urlparse(target)
    return "/" if parsed.scheme or parsed.netloc or "\\" in target else target


def redirect(path: str, notice: str | None = None) -> RedirectResponse:
    """A 303 to ``path``; ``notice`` names one of the fixed notices base.html shows (never free
    text from the URL, so a crafted link cannot put words on the page)."""
    if notice:
        path, hash_, fragment = path.partition("#")
        path += ("&" if "?" in path else "?") + "notice=" + quote(notice) + hash_ + fragment
    return RedirectResponse(path, status_code=303)


def form_str(form: Any, name: str, default: str = "") -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else default


def pay_rate(session: Session, project: Project) -> PayRate | None:
    """The rate in force now (the latest that has taken effect)."""
    return session.scalar(
        select(PayRate)
        .where(PayRate.project_id == project.id, PayRate.effective_from <= utcnow())
        .order_by(PayRate.effective_from.desc(), PayRate.id.desc())
        .limit(1)
    )


def pay_summary(rate: PayRate | None) -> dict[str, Any] | None:
    if rate is None:
        return None
    return {
        "currency": rate.currency,
        "piece_rate": Decimal(rate.piece_rate),
        "hourly_floor": Decimal(rate.hourly_floor),
        "effective_from": rate.effective_from,
    }
