"""Forms that can no longer be accepted: an expired login form, a form sent after logging out (here
or in another tab) or after the session ended, and a form from an earlier session. None is ever
accepted; pages explain what happened and lead back, the API keeps its JSON errors."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from codejury.accounts import COOKIE_NAME, csrf_token, dump_session
from codejury.db.models import User
from functional.test_pages import PASSWORD, _login, _token
from support.studio import Studio

pytestmark = pytest.mark.db
SECRET = "test-secret-key-0123456789"  # the functional studio's secret key
ME = "http://testserver/me"


def _opt_ins(studio: Studio, email: str) -> list[str]:
    with studio.db.session() as s:
        user = s.scalars(select(User).where(User.email == email)).one()
        return list(user.sensitive_opt_ins or [])


def _login_target(location: str) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(location)
    return parts.path, parse_qs(parts.query)


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, html
    return found.group(1)


def test_expired_login_form_is_shown_again_with_the_email_and_a_fresh_token(
    studio: Studio,
) -> None:
    studio.user("ann@example.org")
    c = studio.client
    stale = _token(c.get("/login?next=/me").text)
    c.cookies.delete("codejury_login")  # the form's cookie ran out while the page was open
    data = {"email": "ann@example.org", "password": PASSWORD, "csrf_token": stale, "next": "/me"}
    again = c.post("/login", data=data, follow_redirects=False)
    assert again.status_code == 403
    assert "login form had expired" in again.text and "not logged in yet" in again.text
    assert 'value="ann@example.org"' in again.text and _hidden(again.text, "next") == "/me"
    assert PASSWORD not in again.text  # the password is never sent back
    assert COOKIE_NAME not in again.headers.get("set-cookie", "")
    assert c.get("/me", follow_redirects=False).status_code == 303  # not logged in
    fresh = _token(again.text)
    assert fresh != stale and "codejury_login=" in again.headers["set-cookie"]
    done = c.post("/login", data=data | {"csrf_token": fresh}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/me"


def test_expired_login_form_keeps_only_a_same_site_return_path(studio: Studio) -> None:
    c = studio.client
    data = {"email": "x@example.org", "password": "p", "csrf_token": "x", "next": "//evil.example"}
    again = c.post("/login", data=data)
    assert again.status_code == 403 and _hidden(again.text, "next") == "/"


def test_wrong_password_keeps_the_return_path(studio: Studio) -> None:
    studio.user("ann@example.org")
    c = studio.client
    token = _token(c.get("/login?next=/me").text)
    data = {"email": "ann@example.org", "password": "wrong wrong", "csrf_token": token}
    again = c.post("/login", data=data | {"next": "/me"})
    assert again.status_code == 401 and _hidden(again.text, "next") == "/me"


def test_expired_invitation_form_asks_for_the_password_again(studio: Studio) -> None:
    from codejury.accounts import create_invite, create_user

    with studio.db.session() as s:
        invite = create_invite(s, create_user(s, "new@example.org", "New", "annotator"), None)
    c = studio.client
    token = _token(c.get(f"/invite/{invite}").text)
    c.cookies.delete("codejury_login")
    data = {"password": PASSWORD, "confirm": PASSWORD, "csrf_token": token}
    again = c.post(f"/invite/{invite}", data=data, follow_redirects=False)
    assert again.status_code == 403 and "password was not set" in again.text
    done = c.post(f"/invite/{invite}", data=data | {"csrf_token": _token(again.text)})
    assert done.status_code == 200 and "Your password is set" in done.text


def test_form_sent_after_logging_out_in_another_tab_leads_back_through_login(
    studio: Studio,
) -> None:
    studio.user("ann@example.org")
    c = studio.client
    token = _login(studio, "ann@example.org")
    form_token = _token(c.get("/me").text)  # the form, open in a second tab
    c.post("/logout", data={"csrf_token": token})  # the first tab logs out
    sent = c.post(
        "/me/opt-ins",
        data={"csrf_token": form_token, "other": "violence"},
        headers={"Referer": ME + "#opt-ins"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    path, query = _login_target(sent.headers["location"])
    assert path == "/login" and query == {"next": ["/me"], "notice": ["form_not_sent"]}
    page = c.get(sent.headers["location"])
    assert "form you sent was not saved" in page.text and _hidden(page.text, "next") == "/me"
    assert _opt_ins(studio, "ann@example.org") == []
    data = {"email": "ann@example.org", "password": PASSWORD, "csrf_token": _token(page.text)}
    back = c.post("/login", data=data | {"next": "/me"}, follow_redirects=False)
    assert back.headers["location"] == "/me"  # the page of the form, not the address it posts to


@pytest.mark.parametrize(
    "referer",
    ["http://evil.example/me", "http://testserver//evil.example/x", "http://testserver/\\evil", ""],
)
def test_return_path_after_login_is_never_another_site(studio: Studio, referer: str) -> None:
    headers = {"Referer": referer} if referer else {}
    sent = studio.client.post(
        "/me/opt-ins", data={"other": "x"}, headers=headers, follow_redirects=False
    )
    _, query = _login_target(sent.headers["location"])
    assert query["next"] == ["/"] and query["notice"] == ["form_not_sent"]


def test_form_sent_after_the_session_expired_leads_back_through_login(studio: Studio) -> None:
    ann, _ = studio.user("ann@example.org")
    week_ago = time.time() - 8 * 24 * 3600
    cookie = dump_session(ann, secret=SECRET, clock=lambda: week_ago)
    c = studio.client
    c.cookies.set(COOKIE_NAME, cookie)
    sent = c.post(
        "/me/opt-ins",
        data={"csrf_token": csrf_token(cookie, SECRET), "other": "violence"},
        headers={"Referer": ME},
        follow_redirects=False,
    )
    path, query = _login_target(sent.headers["location"])
    assert path == "/login" and query == {"next": ["/me"], "notice": ["form_not_sent"]}
    assert _opt_ins(studio, "ann@example.org") == []
    opened = c.get("/me", follow_redirects=False)
    _, query = _login_target(opened.headers["location"])
    assert query == {"next": ["/me"], "notice": ["session_ended"]}
    assert "Your session has ended" in c.get(opened.headers["location"]).text


def test_logging_out_of_an_ended_session_just_says_logged_out(studio: Studio) -> None:
    ann, _ = studio.user("ann@example.org")
    cookie = dump_session(ann, secret=SECRET, clock=lambda: time.time() - 8 * 24 * 3600)
    studio.client.cookies.set(COOKIE_NAME, cookie)
    out = studio.client.post("/logout", data={"csrf_token": "old"}, follow_redirects=False)
    assert out.headers["location"] == "/login?notice=logged_out"


def test_form_from_an_earlier_session_is_refused_with_a_way_back(studio: Studio) -> None:
    studio.user("ann@example.org")
    c = studio.client
    token = _login(studio, "ann@example.org")
    old_form = _token(c.get("/me").text)  # the form, open in a second tab
    c.post("/logout", data={"csrf_token": token})
    _login(studio, "ann@example.org")  # the first tab logs out and in again
    sent = c.post(
        "/me/opt-ins",
        data={"csrf_token": old_form, "other": "violence"},
        headers={"Referer": ME},
        follow_redirects=False,
    )
    assert sent.status_code == 403 and "This form has expired" in sent.text
    assert "nothing was changed" in sent.text and "earlier login" in sent.text
    assert re.search(r'<a href="/me" id="error-back">Open the form again</a>', sent.text)
    assert _opt_ins(studio, "ann@example.org") == []
    missing = c.post("/me/opt-ins", data={"other": "violence"}, headers={"Referer": ME})
    assert missing.status_code == 403 and "This form has expired" in missing.text
    assert _opt_ins(studio, "ann@example.org") == []


def test_other_refusals_keep_their_own_page(studio: Studio) -> None:
    studio.user("ann@example.org")
    token = _login(studio, "ann@example.org")
    refused = studio.client.post("/users", data={"csrf_token": token, "email": "x@example.org"})
    assert refused.status_code == 403
    assert "Not allowed" in refused.text and "form has expired" not in refused.text


def test_api_requests_keep_json_errors(studio: Studio) -> None:
    studio.user("ann@example.org")
    c = studio.client
    _login(studio, "ann@example.org")
    body = {"labels": ["violence"]}
    wrong = c.put("/api/v1/me/sensitive-opt-ins", json=body, headers={"X-CSRF-Token": "stale"})
    assert wrong.status_code == 403 and wrong.headers["content-type"] == "application/json"
    assert wrong.json() == {
        "error": "Forbidden",
        "detail": "missing or wrong CSRF token; reload the page and try again",
    }
    c.cookies.delete(COOKIE_NAME)
    gone = c.put("/api/v1/me/sensitive-opt-ins", json=body, headers={"Referer": ME})
    assert gone.status_code == 401 and gone.json()["error"] == "Unauthenticated"
    assert _opt_ins(studio, "ann@example.org") == []
