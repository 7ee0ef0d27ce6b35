"""The qualification page's active time: the finish form's ``active_seconds`` is stored with the
attempt's work event and paid, within the server's window; anything else is refused plainly."""

from __future__ import annotations

import html
import math
from datetime import timedelta

import pytest
from sqlalchemy import select

from codejury.db.base import utcnow
from codejury.db.models import Project, QualificationAttempt, WorkEvent
from codejury.pay.records import events_by_user
from codejury.pay.time import TimeRule, paid_time
from functional.test_quality_pages_more import _project
from support.studio import Studio

pytestmark = pytest.mark.db


def _open_attempt(studio: Studio, minutes_ago: int) -> tuple[str, dict[str, str], int]:
    """A project whose annotator started a qualification attempt ``minutes_ago``."""
    ann, h = studio.user("ann@example.org")
    slug = _project(studio, [ann], "qualification", qualification_required=True)
    started = studio.client.post(
        f"/projects/{slug}/qualification/start", headers=h, follow_redirects=False
    )
    assert started.status_code == 303
    with studio.db.session() as s:
        attempt = s.scalars(select(QualificationAttempt)).one()
        attempt.started_at = utcnow() - timedelta(minutes=minutes_ago)
        s.commit()
    return slug, h, ann.id


def _events(studio: Studio) -> list[WorkEvent]:
    with studio.db.session() as s:
        return list(s.scalars(select(WorkEvent).where(WorkEvent.kind == "qualification")))


def test_finish_form_carries_the_timer_field_and_script(studio: Studio) -> None:
    slug, h, _ = _open_attempt(studio, 1)
    page = studio.client.get(f"/projects/{slug}/qualification", headers=h).text
    assert 'name="active_seconds" value=""' in page and 'data-idle-seconds="120"' in page
    assert 'data-active-timer="qualification-' in page
    assert '<script src="/static/timer.js" defer></script>' in page
    assert "<script>" not in page  # nothing inline: the CSP would block it
    assert studio.client.get("/static/timer.js").status_code == 200


def test_posted_active_seconds_are_stored_and_paid(studio: Studio) -> None:
    slug, h, ann_id = _open_attempt(studio, 10)
    finished = studio.client.post(
        f"/projects/{slug}/qualification/finish",
        data={"active_seconds": "95"},
        headers=h,
        follow_redirects=False,
    )
    assert finished.status_code == 303
    (event,) = _events(studio)
    assert event.user_id == ann_id and event.seconds == 95 and event.meta["passed"] is False
    with studio.db.session() as s:
        project = s.scalars(select(Project).where(Project.slug == slug)).one()
        spans = paid_time(events_by_user(s, project.id, ann_id)[ann_id])
    (span,) = [x for x in spans if x.kind == "qualification"]
    assert span.active_seconds == 95 and span.server_seconds is not None
    # min(server window, active + allowance); the stored window is at least the active seconds
    expected = min(span.server_seconds, 95 + TimeRule().allowance)
    assert span.server_seconds >= 95 and span.paid_seconds == math.ceil(expected)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("soon", "active_seconds: a number of seconds, got 'soon'"),
        ("-1", "(the seconds since this attempt started), got -1"),
        ("700", "active seconds: must be from 0 to 60"),
        ("1e9", "got 1e+09"),
        ("nan", "got nan"),
        ("inf", "got inf"),
    ],
)
def test_bad_active_seconds_are_refused_and_the_attempt_stays_open(
    studio: Studio, value: str, problem: str
) -> None:
    slug, h, _ = _open_attempt(studio, 10)
    refused = studio.client.post(
        f"/projects/{slug}/qualification/finish",
        data={"active_seconds": value},
        headers=h | {"Referer": f"http://testserver/projects/{slug}/qualification"},
    )
    assert refused.status_code == 422 and "Please check your input" in refused.text
    text = html.unescape(refused.text)
    assert "active time sent with the" in text and problem in text
    assert f'href="/projects/{slug}/qualification" id="error-back"' in refused.text
    assert _events(studio) == []
    page = studio.client.get(f"/projects/{slug}/qualification", headers=h).text
    assert 'id="finish"' in page  # still open: finish again with a good value
    assert studio.client.post(
        f"/projects/{slug}/qualification/finish", data={"active_seconds": "30"}, headers=h
    ).is_success
    assert [e.seconds for e in _events(studio)] == [30]


def test_the_api_applies_the_same_window(studio: Studio) -> None:
    slug, h, _ = _open_attempt(studio, 2)
    url = f"/api/v1/projects/{slug}/qualification/finish"
    refused = studio.client.post(url, json={"seconds": 200}, headers=h)
    assert refused.status_code == 422
    (problem,) = refused.json()["problems"]
    assert problem.startswith("active seconds: must be from 0 to 12") and "got 200" in problem
    assert studio.client.post(url, json={"seconds": 100}, headers=h).status_code == 200
    assert [e.seconds for e in _events(studio)] == [100]
