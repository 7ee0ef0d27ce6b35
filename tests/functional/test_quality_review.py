"""Review and appeal through the REST API, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from codejury.db.models import Appeal, AuditEvent, Item, Judgment, Membership, Project, User
from codejury.quality.review import escalate_overdue
from codejury.quality.store import aware, item_consensus
from functional.test_quality_store import add_judgment
from support.builders import make_items, make_project, make_user
from support.studio import Studio

pytestmark = pytest.mark.db
API = "/api/v1"


@dataclass
class Setup:
    slug: str
    judgment_id: int
    item_id: int
    boss: dict[str, str]
    second: dict[str, str]
    ann: dict[str, str]
    other: dict[str, str]


def _setup(studio: Studio) -> Setup:
    people = {
        name: studio.user(f"{name}@example.org", role)
        for name, role in [
            ("boss", "manager"),
            ("second", "manager"),
            ("ann", "annotator"),
            ("other", "annotator"),
        ]
    }
    with studio.db.session() as s:
        project = make_project(s, overlap=2)
        for user, _ in people.values():
            s.add(Membership(project_id=project.id, user_id=user.id))
        (item,) = make_items(s, project, 1)
        ann = s.get_one(User, people["ann"][0].id)
        other = s.get_one(User, people["other"][0].id)
        a, b = (int(c) for c in item.candidate_ids)
        judgment = add_judgment(s, ann, item, [a, b], 2, active_seconds=3.0)
        add_judgment(s, other, item, [b, a], 1)
        s.commit()
        slug, jid, iid = project.slug, judgment.id, item.id
    h = {k: v[1] for k, v in people.items()}
    return Setup(slug, jid, iid, h["boss"], h["second"], h["ann"], h["other"])


def _reject(studio: Studio, st: Setup, **body: object) -> object:
    return studio.client.post(
        f"{API}/judgments/{st.judgment_id}/review", json=body, headers=st.boss
    )


def test_rejection_needs_reason_explanation_and_fraud_evidence(studio: Studio) -> None:
    st = _setup(studio)
    bare = studio.client.post(
        f"{API}/judgments/{st.judgment_id}/review", json={"decision": "reject"}, headers=st.boss
    )
    assert bare.status_code == 422
    problems = " ".join(bare.json()["problems"])
    assert "reason_code" in problems and "explanation" in problems
    unknown = {"decision": "reject", "reason_code": "vibes", "explanation": "no"}
    assert _reject(studio, st, **unknown).status_code == 422  # type: ignore[attr-defined]
    fraud = {"decision": "reject", "reason_code": "fraud_too_fast", "explanation": "3 s"}
    r = _reject(studio, st, **fraud)
    assert r.status_code == 422 and "evidence" in " ".join(r.json()["problems"])  # type: ignore[attr-defined]
    by_annotator = studio.client.post(
        f"{API}/judgments/{st.judgment_id}/review",
        json={"decision": "accept"},
        headers=st.ann,
    )
    assert by_annotator.status_code == 403
    with studio.db.session() as s:
        judgment = s.get_one(Judgment, st.judgment_id)
        assert judgment.status == "pending" and judgment.counted
    evidence = {"active_seconds": 3, "min_seconds": 20}
    ok = _reject(studio, st, **fraud, evidence=evidence)
    assert ok.status_code == 201, ok.text  # type: ignore[attr-defined]
    with studio.db.session() as s:
        judgment = s.get_one(Judgment, st.judgment_id)
        item = s.get_one(Item, st.item_id)
        assert judgment.status == "rejected" and not judgment.counted
        assert item.counted == 1
        assert item_consensus(s, s.get_one(Project, item.project_id))[st.item_id].votes == 1


def test_appeal_once_decided_by_another_manager_restores(studio: Studio) -> None:
    st = _setup(studio)
    body = {"decision": "reject", "reason_code": "ignored_guidelines", "explanation": "Rule 2."}
    review_id = _reject(studio, st, **body).json()["id"]  # type: ignore[attr-defined]
    mine = studio.client.get(f"{API}/me/reviews", headers=st.ann).json()
    assert [(r["decision"], r["reason_code"], r["can_appeal"]) for r in mine] == [
        ("reject", "ignored_guidelines", True)
    ]
    assert mine[0]["explanation"] == "Rule 2." and mine[0]["reason"]
    assert studio.client.get(f"{API}/me/reviews", headers=st.other).json() == []
    url = f"{API}/reviews/{review_id}/appeal"
    assert studio.client.post(url, json={"message": "x"}, headers=st.other).status_code == 403
    first = studio.client.post(url, json={"message": "I ran it."}, headers=st.ann)
    assert first.status_code == 201, first.text
    assert studio.client.post(url, json={"message": "again"}, headers=st.ann).status_code == 409
    appeal_id = first.json()["id"]
    decide = f"{API}/appeals/{appeal_id}/decision"
    own = studio.client.post(decide, json={"grant": True, "note": "ok"}, headers=st.boss)
    assert own.status_code == 403
    granted = studio.client.post(decide, json={"grant": True, "note": "Fair."}, headers=st.second)
    assert granted.status_code == 200 and granted.json()["status"] == "granted"
    again = studio.client.post(decide, json={"grant": False, "note": "no"}, headers=st.second)
    assert again.status_code == 409
    with studio.db.session() as s:
        judgment = s.get_one(Judgment, st.judgment_id)
        assert judgment.status == "accepted" and judgment.counted
        assert s.get_one(Item, st.item_id).counted == 2
        assert s.get_one(Appeal, appeal_id).decided_at is not None
        actions = set(s.scalars(select(AuditEvent.action)))
        assert {"review.reject", "appeal.open", "appeal.granted"} <= actions
    mine = studio.client.get(f"{API}/me/reviews", headers=st.ann).json()
    assert mine[0]["appeal"]["status"] == "granted" and not mine[0]["can_appeal"]


def test_granted_appeal_does_not_overfill_an_item(studio: Studio) -> None:
    st = _setup(studio)
    body = {"decision": "reject", "reason_code": "low_effort_rationale", "explanation": "Empty."}
    review_id = _reject(studio, st, **body).json()["id"]  # type: ignore[attr-defined]
    with studio.db.session() as s:  # someone else takes the freed slot meanwhile
        item = s.get_one(Item, st.item_id)
        add_judgment(s, make_user(s), item, list(item.candidate_ids), 1)
        s.commit()
    appeal = studio.client.post(
        f"{API}/reviews/{review_id}/appeal", json={"message": "Please"}, headers=st.ann
    ).json()
    r = studio.client.post(
        f"{API}/appeals/{appeal['id']}/decision",
        json={"grant": True, "note": "ok"},
        headers=st.second,
    )
    assert r.status_code == 200
    with studio.db.session() as s:
        judgment = s.get_one(Judgment, st.judgment_id)
        assert judgment.status == "accepted" and not judgment.counted
        assert s.get_one(Item, st.item_id).counted == 2


def test_overdue_appeal_is_escalated_after_seven_days(studio: Studio) -> None:
    st = _setup(studio)
    body = {"decision": "rework", "reason_code": "ignored_guidelines", "explanation": "Redo."}
    review_id = _reject(studio, st, **body).json()["id"]  # type: ignore[attr-defined]
    appeal = studio.client.post(
        f"{API}/reviews/{review_id}/appeal", json={"message": "It was fine."}, headers=st.ann
    ).json()
    with studio.db.session() as s:
        row = s.get_one(Appeal, appeal["id"])
        opened = aware(row.created_at)
        assert escalate_overdue(s, opened + timedelta(days=6, hours=23)) == 0
        assert escalate_overdue(s, opened + timedelta(days=7)) == 1
        assert escalate_overdue(s, opened + timedelta(days=8)) == 0  # once
        row = s.get_one(Appeal, appeal["id"])
        assert row.escalated_at is not None and row.status == "open"
        assert s.scalar(select(AuditEvent.id).where(AuditEvent.action == "appeal.escalate"))
    listed = studio.client.get(f"{API}/projects/{st.slug}/appeals", headers=st.boss).json()
    assert [a["overdue"] for a in listed] == [False]  # the real clock: 7 days have not passed
    assert listed[0]["escalated_at"] is not None
    assert studio.client.get(f"{API}/projects/{st.slug}/appeals", headers=st.ann).status_code == 403


def test_quality_report_and_queue_for_managers_only(studio: Studio) -> None:
    st = _setup(studio)
    report = studio.client.get(f"{API}/projects/{st.slug}/quality", headers=st.boss)
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["judgments"] == 2 and body["preference_nominal"]["units"] == 1
    assert body["consensus"][0]["item"] == st.item_id
    assert studio.client.get(f"{API}/projects/{st.slug}/quality", headers=st.ann).status_code == 403
    queue = studio.client.get(f"{API}/projects/{st.slug}/review-queue", headers=st.boss)
    assert queue.status_code == 200 and queue.json()["entries"] == []
