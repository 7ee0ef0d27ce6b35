from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from codejury.accounts.sessions import check_csrf, csrf_token, dump_session, load_session
from codejury.db.models import User
from codejury.errors import Forbidden, Unauthenticated

SECRET = "unit-test-secret"


def _user() -> User:
    return User(id=7, email="a@example.org", name="A", role="annotator", session_version=3)


def _clock(t: float) -> Callable[[], float]:
    return lambda: t


def test_cookie_is_signed_and_differs_per_login() -> None:
    first = dump_session(_user(), secret=SECRET)
    second = dump_session(_user(), secret=SECRET)
    assert first != second
    assert "." in first


def _respell_last(cookie: str, keep_value: bool) -> str:
    """The cookie with its last base64 character changed, to one that decodes alike or not."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    value = alphabet.index(cookie[-1])
    # A 20-byte signature is 27 characters: the last one carries 4 bits and 2 spare ones.
    other = value ^ 1 if keep_value else value ^ 0b100000
    return cookie[:-1] + alphabet[other]


@pytest.mark.parametrize("change", ["flip", "respell", "payload", "other-secret", "garbage"])
def test_tampered_cookie_is_refused_before_any_lookup(change: str) -> None:
    cookie = dump_session(_user(), secret=SECRET)
    secret = SECRET
    if change == "flip":
        cookie = _respell_last(cookie, keep_value=False)
    elif change == "respell":
        cookie = _respell_last(cookie, keep_value=True)
    elif change == "payload":
        cookie = ("B" if cookie[0] != "B" else "C") + cookie[1:]
    elif change == "other-secret":
        secret = "another-secret"
    else:
        cookie = "not a cookie"
    with pytest.raises(Unauthenticated, match="invalid session"):
        load_session(Session(), cookie, 3600, secret=secret)


def test_expired_cookie_is_refused() -> None:
    cookie = dump_session(_user(), secret=SECRET, clock=_clock(1_000_000))
    with pytest.raises(Unauthenticated, match="expired"):
        load_session(Session(), cookie, 60, secret=SECRET, clock=_clock(1_000_061))


def test_csrf_token_is_tied_to_the_session_and_secret() -> None:
    token = csrf_token("cookie-1", SECRET)
    check_csrf("cookie-1", token, SECRET)
    assert csrf_token("cookie-1", SECRET) == token
    assert csrf_token("cookie-2", SECRET) != token
    assert csrf_token("cookie-1", "other") != token


@pytest.mark.parametrize("token", [None, "", "0" * 64, "short"])
def test_wrong_or_missing_csrf_token_is_forbidden(token: str | None) -> None:
    with pytest.raises(Forbidden, match="CSRF"):
        check_csrf("cookie-1", token, SECRET)


def test_csrf_of_another_session_is_forbidden() -> None:
    with pytest.raises(Forbidden):
        check_csrf("cookie-1", csrf_token("cookie-2", SECRET), SECRET)
