"""The pay, wellbeing and transparency API in process (SQLite and PostgreSQL), and publishing
without a purpose card refused through the API and the manager's form."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest

from codejury.db.base import utcnow
from codejury.db.models import Assignment, Membership, Project, User, WorkEvent
from codejury.pay import store
from codejury.pay.statements import Period
from codejury.wellbeing.dashboard import my_earnings
from codejury.wellbeing.plain import jsonable
from codejury.wellbeing.register import REGISTER
from functional.test_quality_store import add_judgment
from support.builders import make_items
from support.studio import Studio

pytestmark = pytest.mark.db
PASSWORD = "correct horse battery"


def _seed(studio: Studio) -> tuple[str, dict[str, str], dict[str, str], User]:
    """A project ``pp`` with a week of accepted work by ``ann``, two weeks ago; the headers."""
    boss, boss_h = studio.user("boss@example.org", "manager")
    ann, ann_h = studio.user("ann@example.org")
    week = Period.week_of(utcnow() - timedelta(days=14))
    with studio.db.session() as s:
        project = Project(slug="pp", name="Pay project")
        s.add(project)
        s.flush()
        s.add_all(Membership(project_id=project.id, user_id=u.id) for u in (boss, ann))
        store.set_pay_rate(s, project, "0.50", "12", now=week.start - timedelta(days=30))
        person = s.get(User, ann.id)
        assert person is not None
        for i, item in enumerate(make_items(s, project, 3, commit=False)):
            start = week.start + timedelta(days=1, hours=i)
            a = Assignment(item_id=item.id, user_id=ann.id, project_id=project.id,
                           display_order=item.candidate_ids, leased_at=start, state="submitted",
                           expires_at=start + timedelta(hours=1))  # fmt: skip
            s.add(a)
            s.flush()
            end = start + timedelta(minutes=20)
            add_judgment(s, person, item, list(item.candidate_ids), at=end, status="accepted",
                         assignment_id=a.id, status_at=end)  # fmt: skip
            s.add_all([
                WorkEvent(user_id=ann.id, project_id=project.id, kind="lease",
                          assignment_id=a.id, started_at=start, ended_at=start),
                WorkEvent(user_id=ann.id, project_id=project.id, kind="submit",
                          assignment_id=a.id, started_at=end, ended_at=end, seconds=1200),
            ])  # fmt: skip
        s.commit()
    return week.start.date().isoformat(), boss_h, ann_h, ann


def test_statements_csv_and_earnings_through_the_api(studio: Studio) -> None:
    period, boss, ann, person = _seed(studio)
    c = studio.client
    for path in ("/projects/pp/pay", "/projects/pp/transparency", "/projects/pp/pay/overview"):
        assert c.get("/api/v1" + path, headers=ann).status_code == 403
    assert (
        c.post(f"/api/v1/projects/pp/pay/statements?period={period}", headers=ann).status_code
        == 403
    )

    r = c.post(f"/api/v1/projects/pp/pay/statements?period={period}", headers=boss)
    assert r.status_code == 200, r.text
    [st] = r.json()["statements"]
    assert (st["user_id"], st["total"], st["paid_hours"]) == (person.id, "12.00", "1.00")

    r = c.get(f"/api/v1/projects/pp/pay/statements.csv?period={period}", headers=boss)
    assert r.headers["content-type"].startswith("text/csv")
    [row] = list(csv.DictReader(io.StringIO(r.text)))
    assert (row["total"], row["piece"], row["topup"]) == ("12.00", "1.50", "10.50")

    [pay] = c.get("/api/v1/projects/pp/pay", headers=boss).json()["annotators"]
    assert (pay["total"], pay["topup"], pay["effective_hourly"]) == ("12.00", "10.50", "12.00")

    earnings = c.get("/api/v1/me/earnings", headers=ann).json()
    with studio.db.session() as s:
        assert earnings == jsonable(my_earnings(s, person))
    [usd] = earnings["currencies"]
    assert (usd["issued"], usd["effective_hourly"], usd["paid_hours"]) == ("12.00", "12.00", "1.00")
    scoped = c.get("/api/v1/me/earnings?project=pp", headers=ann).json()
    assert scoped["currencies"] == earnings["currencies"]

    t = c.get("/api/v1/projects/pp/transparency", headers=boss).json()
    assert (t["statements"], t["hourly_p50"], t["share_topped_up"]) == (1, "12.00", 1.0)


def test_rate_changes_through_the_api(studio: Studio) -> None:
    _, boss, ann, _ = _seed(studio)
    c = studio.client
    body = {"piece_rate": "0.60", "hourly_floor": "13", "currency": "USD"}
    assert c.post("/api/v1/projects/pp/pay/rate", json=body, headers=ann).status_code == 403
    r = c.post("/api/v1/projects/pp/pay/rate", json=body, headers=boss)
    assert r.status_code == 201 and Decimal(r.json()["piece_rate"]) == Decimal("0.6")
    cut = {"piece_rate": "0.10", "hourly_floor": "13", "currency": "USD"}
    r = c.post("/api/v1/projects/pp/pay/rate", json=cut, headers=boss)
    assert r.status_code == 422  # a cut needs 14 days' notice


def test_wellbeing_endpoints_for_the_annotator(studio: Studio) -> None:
    _, _, ann, _ = _seed(studio)
    c = studio.client
    r = c.put("/api/v1/me/sensitive-opt-ins", json={"labels": ["gore", " gore", ""]}, headers=ann)
    assert r.json() == {"opt_ins": ["gore"]}
    d = c.get("/api/v1/me/dashboard", headers=ann).json()
    assert d["sensitive"]["opt_ins"] == ["gore"] and d["hours"]["daily_cap"] == 8.0
    assert d["projects"][0]["purpose"]["contact"] is None
    assert d["break"]["due"] is False
    assert c.get("/api/v1/me/impact", headers=ann).json() == {"exports": []}
    keys = {x["key"] for x in c.get("/api/v1/decisions", headers=ann).json()["decisions"]}
    assert {"too_fast", "position_bias", "length_bias", "straight_lining", "low_gold_accuracy",
            "consensus_disagreement", "auto_approval", "hour_caps", "qualification",
            "lease_expiry", "sensitive_content", "pay_floor_topup"} <= keys  # fmt: skip
    assert not any(x.affects_pay or x.affects_access for x in REGISTER if "flag" in x.name)


def test_publishing_needs_a_purpose_card_and_a_contact(studio: Studio) -> None:
    _, boss_h = studio.user("boss@example.org", "manager")
    c = studio.client
    assert c.post("/api/v1/projects", json={"slug": "pub"}, headers=boss_h).status_code == 201
    r = c.patch("/api/v1/projects/pub", json={"status": "published"}, headers=boss_h)
    assert r.status_code == 422
    problems = r.json()["problems"]
    assert "contact: required to publish" in problems
    assert "purpose.uses: required to publish" in problems

    token = _login(studio, "boss@example.org")
    form = {"csrf_token": token, "status": "published", "purpose_uses": "reward model",
            "k": "2", "overlap": "3", "gold_rate": "0.1"}  # fmt: skip
    r = c.post("/projects/pub/manage/settings", data=form, follow_redirects=False)
    assert r.status_code == 422 and "Please check your input" in r.text
    assert "contact: required to publish" in r.text and "purpose.users: required" in r.text
    full = {"purpose": {"uses": "u", "users": "v", "retention": "1 y", "publishable": False},
            "contact": "ops@example.org", "status": "published"}  # fmt: skip
    assert (
        c.patch("/api/v1/projects/pub", json=full, headers=boss_h).json()["status"] == "published"
    )


def _login(studio: Studio, email: str) -> str:
    c = studio.client
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text)
    assert token
    data = {"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
    assert c.post("/login", data=data, follow_redirects=False).status_code == 303
    found = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/projects").text)
    assert found
    return found.group(1)
