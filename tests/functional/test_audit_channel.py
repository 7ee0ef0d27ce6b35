"""The channel of each audited change: a signed-in browser (web), a bearer token (api), the command
line (cli; see ``test_accounts``) or a scheduled job (job)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from codejury.accounts import audit, audit_channel, audit_log, require_user_by_email
from codejury.db import Database
from codejury.db.base import utcnow
from codejury.db.models import AuditEvent
from codejury.jobs import run_once
from functional.test_pages import _login
from support.builders import judge, make_items, make_project, make_user
from support.studio import Studio

pytestmark = pytest.mark.db


def created_via(db: Database, email: str) -> str | None:
    """The channel of the ``user.create`` event of ``email``."""
    with db.session() as s:
        user = require_user_by_email(s, email)
        query = select(AuditEvent.via).where(
            AuditEvent.action == "user.create", AuditEvent.target_id == str(user.id)
        )
        return s.scalars(query).one()


def test_a_form_is_audited_as_web_and_a_token_call_as_api(studio: Studio) -> None:
    _, token = studio.user("root@example.org", "admin")
    csrf = _login(studio, "root@example.org")
    form = {"email": "web@example.org", "name": "Web", "role": "annotator", "csrf_token": csrf}
    assert studio.client.post("/users", data=form).status_code == 200
    body = {"email": "api@example.org", "name": "Api", "role": "annotator"}
    assert studio.client.post("/api/v1/users", json=body, headers=token).status_code == 201
    assert created_via(studio.db, "web@example.org") == "web"
    assert created_via(studio.db, "api@example.org") == "api"
    page = studio.client.get("/audit").text
    assert '<td class="small">web</td>' in page and '<td class="small">api</td>' in page


def test_the_project_audit_json_names_the_channel(studio: Studio) -> None:
    _, token = studio.user("boss@example.org", "manager")
    body = {"slug": "chan", "name": "Channels"}
    assert studio.client.post("/api/v1/projects", json=body, headers=token).status_code == 201
    events = studio.client.get("/api/v1/projects/chan/audit", headers=token).json()
    assert events and {e["via"] for e in events} == {"api"}


def test_a_scheduled_job_is_audited_as_job(database_url: str) -> None:
    db = Database(database_url)
    with db.session() as s:
        project = make_project(s)
        user = make_user(s, project)
        [item] = make_items(s, project, 1, commit=False)
        judge(s, item, user.id, item.candidate_ids, created_at=utcnow() - timedelta(days=60))
        s.commit()
    with audit_channel("cli"):  # as under ``codejury worker``: the job's own channel wins
        assert run_once(db)["auto-approve judgments"] == 1
    with db.session() as s:
        [event] = audit_log(s, target_type="judgment")
        assert (event.action, event.via) == ("pay.auto_approve", "job")
    db.dispose()


def test_the_innermost_channel_wins_and_none_is_recorded_outside(db: Session) -> None:
    with audit_channel("cli"), audit_channel("job"):
        inner = audit(db, None, "test.inner", "thing", 1, None, None)
    outside = audit(db, None, "test.outside", "thing", 1, None, None)
    assert (inner.via, outside.via) == ("job", None)
    with pytest.raises(ValueError, match="unknown audit channel"), audit_channel("email"):
        pass
