"""Qualification page, practice feedback hooks, gold contests from both sides and closing flags.

Driven in process with API-token auth (no CSRF), like ``test_quality_pages.py``.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from codejury.db.models import AuditEvent, Flag, GoldContest, Item, Membership, User
from codejury.projects import create_project
from functional.test_quality_pages import _seed
from functional.test_quality_store import add_judgment
from support.builders import make_items
from support.studio import Studio

pytestmark = pytest.mark.db


def _gold(items: list[Item], reason: str) -> None:
    for item in items:
        a, b = sorted(int(c) for c in item.candidate_ids)
        item.gold_answer = {"ranking": [a, b], "strength": 1, "reason": reason}


def _project(studio: Studio, users: list[User], purpose: str, **fields: Any) -> str:
    with studio.db.session() as s:
        project = create_project(s, f"q-{uuid.uuid4().hex[:8]}", gold_rate=0.0)
        project.status = "published"
        for key, value in fields.items():
            setattr(project, key, value)
        for user in users:
            s.add(Membership(project_id=project.id, user_id=user.id))
        _gold(make_items(s, project, 3, purpose=purpose, is_gold=True, commit=False), "A passes")
        make_items(s, project, 1)
        s.commit()
        return project.slug


def _client_data(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="judge-data">(.*?)</script>', html, re.S)
    assert found, "the judging page has no item"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_qualification_page_start_judge_finish_shows_misses(studio: Studio) -> None:
    ann, h = studio.user("ann@example.org")
    slug = _project(studio, [ann], "qualification", qualification_required=True)
    c = studio.client
    assert 'id="qualification-link"' in c.get(f"/projects/{slug}", headers=h).text
    page = c.get(f"/projects/{slug}/qualification", headers=h)
    assert page.status_code == 200 and "requires qualification" in page.text
    assert "0 of 2" in page.text and 'id="start-qualification"' in page.text
    started = c.post(f"/projects/{slug}/qualification/start", headers=h, follow_redirects=False)
    assert started.status_code == 303
    assert started.headers["location"] == f"/projects/{slug}/judge?purpose=qualification"
    for n in range(3):
        judge = c.get(f"/projects/{slug}/judge?purpose=qualification", headers=h)
        assert judge.status_code == 200 and 'id="purpose-banner"' in judge.text
        data = _client_data(judge.text)
        assert data["purpose"] == "qualification"
        ids = sorted(cand["id"] for cand in data["candidates"])
        ranking = ids if n != 1 else ids[::-1]  # the second one is wrong
        sent = c.post(
            f"/api/v1/assignments/{data['assignment_id']}/judgment",
            json={"ranking": ranking, "strength": 1},
            headers=h | {"Idempotency-Key": uuid.uuid4().hex},
        )
        assert sent.status_code == 200, sent.text
    done = c.get(f"/projects/{slug}/judge?purpose=qualification", headers=h)
    assert 'id="to-qualification"' in done.text
    in_progress = c.get(f"/projects/{slug}/qualification", headers=h)
    assert 'id="finish"' in in_progress.text and 'id="start-qualification"' not in in_progress.text
    finished = c.post(f"/projects/{slug}/qualification/finish", headers=h, follow_redirects=False)
    assert finished.status_code == 303
    result = c.get(f"/projects/{slug}/qualification", headers=h).text
    assert "not passed" in result and "1 of 2" in result and "(2 of 3)" in result
    assert result.count('class="miss"') == 1 and "A passes" in result
    assert 'id="start-qualification"' in result  # one attempt left
    again = c.post(f"/projects/{slug}/qualification/finish", headers=h, follow_redirects=False)
    assert again.status_code == 404


def test_judge_page_exposes_purpose_and_practice_feedback_panel(studio: Studio) -> None:
    ann, h = studio.user("ann@example.org")
    slug = _project(studio, [ann], "practice")
    c = studio.client
    practice = c.get(f"/projects/{slug}/judge?purpose=practice", headers=h)
    assert practice.status_code == 200
    assert _client_data(practice.text)["purpose"] == "practice"
    assert 'id="practice-feedback"' in practice.text and 'id="pf-next"' in practice.text
    work = c.get(f"/projects/{slug}/judge", headers=h)
    assert _client_data(work.text)["purpose"] == "work"
    assert 'id="practice-feedback"' not in work.text
    assert c.get(f"/projects/{slug}/judge?purpose=bogus", headers=h).status_code == 422


def test_contest_from_my_reviews_and_rule_on_appeals_page(studio: Studio) -> None:
    boss, hb = studio.user("boss@example.org", "manager")
    ann, ha = studio.user("ann@example.org")
    slug = _project(studio, [boss, ann], "work", gold_rate=0.5)
    with studio.db.session() as s:
        item = s.scalars(select(Item).where(Item.is_gold.is_(True))).first()
        assert item is not None
        a, b = sorted(int(x) for x in item.candidate_ids)
        wrong = add_judgment(s, s.get_one(User, ann.id), item, [b, a], 1).id
        s.commit()
        item_id = item.id
    c = studio.client
    mine = c.get("/me/reviews", headers=ha).text
    assert f'id="miss-{wrong}"' in mine and "Contest this answer" in mine and "A passes" in mine
    assert (
        c.post(f"/judgments/{wrong}/contest", data={"message": " "}, headers=ha).status_code == 422
    )
    sent = c.post(
        f"/judgments/{wrong}/contest",
        data={"message": "B handles the empty list."},
        headers=ha,
        follow_redirects=False,
    )
    assert sent.status_code == 303
    mine = c.get("/me/reviews", headers=ha).text
    assert "Contest this answer" not in mine and "contest-state" in mine
    with studio.db.session() as s:
        contest_id = s.scalars(select(GoldContest.id)).one()
    assert c.get(f"/projects/{slug}/appeals", headers=ha).status_code == 403
    appeals = c.get(f"/projects/{slug}/appeals", headers=hb).text
    assert f'id="contest-{contest_id}"' in appeals and "B handles the empty list." in appeals
    back = f"/projects/{slug}/appeals"
    vague = {"upheld": "no", "note": "Right.", "back": back}
    assert c.post(f"/contests/{contest_id}/decide", data=vague, headers=hb).status_code == 422
    ruled = c.post(
        f"/contests/{contest_id}/decide",
        data=vague | {"ranking": f"{b}, {a}"},
        headers=hb,
        follow_redirects=False,
    )
    assert ruled.status_code == 303 and ruled.headers["location"].startswith(back)
    with studio.db.session() as s:
        assert s.get_one(GoldContest, contest_id).status == "overturned"
        assert s.get_one(Item, item_id).gold_answer["ranking"] == [b, a]
    assert f'id="contest-{contest_id}"' not in c.get(back, headers=hb).text


def test_close_flag_from_report_page_and_api(studio: Studio) -> None:
    people, headers = {}, {}
    for name, role in [("boss", "manager"), ("fast", "annotator"), ("calm", "annotator")]:
        people[name], headers[name] = studio.user(f"{name}@example.org", role)
    slug, _ = _seed(studio.db, people)
    c = studio.client
    flag_id = c.post(f"/api/v1/projects/{slug}/flags/refresh", headers=headers["boss"]).json()[
        "added"
    ][0]["id"]
    report = c.get(f"/projects/{slug}/quality", headers=headers["boss"]).text
    assert f'action="/flags/{flag_id}/close"' in report
    assert (
        c.post(f"/flags/{flag_id}/close", data={"note": "x"}, headers=headers["fast"]).status_code
        == 403
    )
    assert (
        c.post(f"/flags/{flag_id}/close", data={"note": ""}, headers=headers["boss"]).status_code
        == 422
    )
    closed = c.post(
        f"/flags/{flag_id}/close",
        data={"note": "Read fast but right.", "back": f"/projects/{slug}/quality#flags"},
        headers=headers["boss"],
        follow_redirects=False,
    )
    assert closed.status_code == 303
    with studio.db.session() as s:
        flag = s.get_one(Flag, flag_id)
        assert (flag.status, flag.closed_by) == ("closed", people["boss"].id)
        assert flag.closed_at is not None
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "flag.close")).one()
        assert event.after is not None and event.after["note"] == "Read fast but right."
    assert (
        f'action="/flags/{flag_id}/close"'
        not in c.get(f"/projects/{slug}/quality", headers=headers["boss"]).text
    )
    again = c.post(
        f"/api/v1/flags/{flag_id}/close", json={"note": "again"}, headers=headers["boss"]
    )
    assert again.status_code == 409
    assert (
        c.post(
            "/api/v1/flags/999999/close", json={"note": "x"}, headers=headers["boss"]
        ).status_code
        == 404
    )


def test_close_flag_api_returns_closed_flag(studio: Studio) -> None:
    people, headers = {}, {}
    for name, role in [("boss", "manager"), ("fast", "annotator"), ("calm", "annotator")]:
        people[name], headers[name] = studio.user(f"{name}@example.org", role)
    slug, _ = _seed(studio.db, people)
    c = studio.client
    flag_id = c.post(f"/api/v1/projects/{slug}/flags/refresh", headers=headers["boss"]).json()[
        "added"
    ][0]["id"]
    out = c.post(f"/api/v1/flags/{flag_id}/close", json={"note": "ok"}, headers=headers["boss"])
    assert out.status_code == 200, out.text
    body = out.json()
    assert body["status"] == "closed" and body["closed_by"] == people["boss"].id
    refreshed = c.post(f"/api/v1/projects/{slug}/flags/refresh", headers=headers["boss"]).json()
    assert [f["id"] for f in refreshed["open"]] != [flag_id]
