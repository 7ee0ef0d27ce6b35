"""The studio pages in process: login and its CSRF, invitations, access rules, the judging page."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from codejury.accounts import create_invite, create_user
from codejury.candidates.store import build_items
from codejury.db.models import Project
from codejury.projects import create_project, update_settings
from codejury.tasks.importer import import_tasks
from codejury.tasks.schema import TaskIn
from support.studio import Studio

PASSWORD = "correct horse battery"
PURPOSE = {"uses": "tests", "users": "us", "retention": "1 day", "publishable": False}


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def _login(studio: Studio, email: str) -> str:
    """Log the client in; the session's CSRF token for later forms."""
    c = studio.client
    token = _token(c.get("/login").text)
    r = c.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return _token(c.get("/projects").text)


def _project(studio: Studio, members: list[str], *, evil: bool = False) -> None:
    content = (
        "def f():\n    return '<script>alert(1)</script>'\n" if evil else "def f():\n    return 1\n"
    )
    task = TaskIn.model_validate(
        {
            "external_id": "t1",
            "prompt": "Write f.",
            "kind": "completion",
            "language": "python",
            "candidates": [
                {"source": "m1", "content": content},
                {"source": "mutant", "content": "def f():\n    return 2\n", "synthetic": True},
            ],
        }
    )
    with studio.db.session() as s:
        from codejury.accounts import add_member, get_user_by_email

        project = create_project(s, "p", overlap=1)
        import_tasks(s, project, [task])
        build_items(s, project, "all", include_synthetic=True)
        update_settings(s, project, purpose=PURPOSE, contact="ops@example.org", status="published")
        for email in members:
            user = get_user_by_email(s, email)
            assert user is not None
            add_member(s, project, user, None)


def test_login_needs_the_form_token_and_sets_a_safe_cookie(studio: Studio) -> None:
    studio.user("ann@example.org")
    c = studio.client
    forged = c.post("/login", data={"email": "ann@example.org", "password": PASSWORD})
    assert forged.status_code == 403
    token = _token(c.get("/login").text)
    r = c.post(
        "/login",
        data={
            "email": "ann@example.org",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = next(
        v for k, v in r.headers.multi_items() if k == "set-cookie" and "codejury_session" in v
    )
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie


def test_wrong_password_shows_the_form_again(studio: Studio) -> None:
    studio.user("ann@example.org")
    token = _token(studio.client.get("/login").text)
    r = studio.client.post(
        "/login",
        data={"email": "ann@example.org", "password": "nope nope nope", "csrf_token": token},
    )
    assert r.status_code == 401 and "wrong email or password" in r.text


def test_logout_needs_the_session_csrf_token(studio: Studio) -> None:
    studio.user("ann@example.org")
    token = _login(studio, "ann@example.org")
    assert studio.client.post("/logout").status_code == 403
    r = studio.client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert studio.client.get("/projects", follow_redirects=False).status_code == 303


def test_invitation_sets_a_password_once(studio: Studio) -> None:
    with studio.db.session() as s:
        user = create_user(s, "new@example.org", "New", "annotator")
        invite = create_invite(s, user, None)
    c = studio.client
    form = c.get(f"/invite/{invite}")
    assert form.status_code == 200
    data = {"password": PASSWORD, "confirm": PASSWORD, "csrf_token": _token(form.text)}
    assert c.post(f"/invite/{invite}", data=data, follow_redirects=False).status_code == 303
    assert c.get(f"/invite/{invite}").status_code == 410
    _login(studio, "new@example.org")


def test_annotators_cannot_open_manager_pages(studio: Studio) -> None:
    studio.user("ann@example.org", skills=["python"])
    _project(studio, ["ann@example.org"])
    _login(studio, "ann@example.org")
    for path in ("/projects/p/manage", "/projects/p/progress", "/users", "/audit", "/projects/new"):
        assert studio.client.get(path).status_code == 403, path


def test_judging_page_escapes_code_and_hides_synthetic_labels(studio: Studio) -> None:
    studio.user("ann@example.org", skills=["python"])
    _project(studio, ["ann@example.org"], evil=True)
    _login(studio, "ann@example.org")
    page = studio.client.get("/projects/p/judge").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert" in page or "&#39;&lt;script&gt;" in page
    assert "pill-synthetic" not in page
    data = json.loads(re.search(r'id="judge-data">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    assert [c["label"] for c in data["candidates"]] == ["A", "B"]
    with studio.db.session() as s:
        project = s.scalars(select(Project)).one()
        project.settings = {"label_synthetic": True}
        s.commit()
    assert "pill-synthetic" in studio.client.get("/projects/p/judge").text


def test_manager_pages_render_and_invite_shows_a_link(studio: Studio) -> None:
    studio.user("boss@example.org", "manager")
    studio.user("ann@example.org", skills=["python"])
    _project(studio, ["boss@example.org", "ann@example.org"])
    token = _login(studio, "boss@example.org")
    c = studio.client
    for path in (
        "/projects/p/manage",
        "/projects/p/progress",
        "/projects/p/judgments",
        "/projects/p/audit",
        "/users",
    ):
        assert c.get(path).status_code == 200, path
    r = c.post(
        "/users",
        data={
            "email": "cy@example.org",
            "name": "Cy",
            "role": "annotator",
            "skills": "python",
            "csrf_token": token,
        },
    )
    assert r.status_code == 200 and "/invite/" in r.text
    bad = c.post(
        "/users", data={"email": "x@example.org", "name": "X", "role": "admin", "csrf_token": token}
    )
    assert bad.status_code == 403


def test_unknown_addresses_answer_people_with_a_page_and_programs_with_json(studio: Studio) -> None:
    c = studio.client
    page = c.get("/no-such-page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "There is no page at this address" in page.text
    api = c.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.json() == {"error": "NotFound", "detail": "Not Found"}
    wrong = c.get("/logout")
    assert wrong.status_code == 405 and "allow" in wrong.headers
