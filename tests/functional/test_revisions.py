"""Revising a judgment over HTTP, on SQLite and PostgreSQL: ``GET /api/v1/judgments/{id}``,
``POST /api/v1/judgments/{id}/revision``, the revision page and what "My reviews" offers.

The project comes from ``test_api_work._setup``: overlap 1, three two-candidate items, the
manager ``boss`` who made it and the annotator ``ann``.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from sqlalchemy import func, select

from codejury.assign.judgments import MESSAGES
from codejury.db.base import utcnow
from codejury.db.models import Item, Judgment, PayLine, WorkEvent
from codejury.pay import store as pay_store
from codejury.pay.statements import Period
from functional.test_api_work import _setup
from functional.test_pages import _login
from support.studio import Studio

pytestmark = pytest.mark.db
API = "/api/v1"
REWORK = {"decision": "rework", "reason_code": "low_effort_rationale", "explanation": "Say why."}


def _submit(studio: Studio, headers: dict[str, str], key: str = "k1") -> tuple[list[int], int]:
    """Lease an item and submit a full answer (A better, a rating, a flag); the display order and
    the judgment's id."""
    c = studio.client
    lease = c.post(f"{API}/projects/p/next", headers=headers).json()
    a, b = order = [x["id"] for x in lease["candidates"]]
    payload = {
        "ranking": [a, b],
        "strength": 1,
        "ratings": {str(a): {"correctness": 4}},
        "error_spans": [
            {
                "candidate_id": b,
                "line_start": 2,
                "line_end": 2,
                "category": "logic",
                "severity": "major",
            }
        ],
        "rationale": "A adds.",
        "active_seconds": 30,
    }
    url = f"{API}/assignments/{lease['assignment_id']}/judgment"
    r = c.post(url, json=payload, headers={**headers, "Idempotency-Key": key})
    assert r.status_code == 200 and r.json()["counted"], r.text
    return order, int(r.json()["judgment_id"])


def _revise(
    studio: Studio, headers: dict[str, str], judgment_id: int, body: dict[str, Any], key: str
) -> Any:
    return studio.client.post(
        f"{API}/judgments/{judgment_id}/revision",
        json=body,
        headers={**headers, "Idempotency-Key": key},
    )


def _rework(studio: Studio, manager: dict[str, str], judgment_id: int) -> int:
    r = studio.client.post(f"{API}/judgments/{judgment_id}/review", json=REWORK, headers=manager)
    assert r.status_code == 201 and r.json()["judgment_status"] == "pending", r.text
    return int(r.json()["id"])


def test_revise_through_the_api_supersedes_and_moves_the_count(studio: Studio) -> None:
    _, ann = _setup(studio)
    (a, b), old_id = _submit(studio, ann)
    shown = studio.client.get(f"{API}/judgments/{old_id}", headers=ann)
    assert shown.status_code == 200, shown.text
    view = shown.json()
    assert (view["ranking"], view["strength"], view["rationale"]) == ([a, b], 1, "A adds.")
    assert view["ratings"] == {str(a): {"correctness": 4}}
    assert [(s["candidate_id"], s["line_start"], s["category"]) for s in view["error_spans"]] == [
        (b, 2, "logic")
    ]
    assert (view["status"], view["review"], view["revision_id"], view["revisable"]) == (
        "pending",
        None,
        None,
        True,
    )
    # The item as it was shown: the same letters in the assignment's display order.
    assert [(x["label"], x["id"]) for x in view["item"]["candidates"]] == [("A", a), ("B", b)]
    assert view["item"]["rubric"]["criteria"] and "is_gold" not in json.dumps(view)

    body = {
        "ranking": [b, a],
        "strength": 2,
        "rationale": "B, on second thought.",
        "active_seconds": 40,
    }
    first = _revise(studio, ann, old_id, body, "r1")
    assert first.status_code == 200, first.text
    result = first.json()
    assert result["judgment_id"] != old_id and result["counted"] and not result["replayed"]
    assert result["message"] == MESSAGES["revised"]
    retry = _revise(studio, ann, old_id, body, "r1")
    assert retry.status_code == 200, retry.text
    assert retry.json()["replayed"] and retry.json()["judgment_id"] == result["judgment_id"]

    with studio.db.session() as s:
        old, new = s.get_one(Judgment, old_id), s.get_one(Judgment, result["judgment_id"])
        assert old.superseded and not old.counted
        assert new.supersedes_id == old_id and new.counted and not new.superseded
        assert (new.ranking, new.strength, new.shown_order) == ([b, a], 2, [a, b])
        assert s.scalar(select(func.count()).select_from(Judgment)) == 2
        assert s.get_one(Item, new.item_id).counted == 1

    again = studio.client.get(f"{API}/judgments/{old_id}", headers=ann).json()
    assert (again["revision_id"], again["revisable"]) == (result["judgment_id"], False)
    latest = studio.client.get(f"{API}/judgments/{result['judgment_id']}", headers=ann).json()
    assert (latest["supersedes_id"], latest["revisable"]) == (old_id, True)
    stale = _revise(studio, ann, old_id, body, "r2")
    assert stale.status_code == 409 and "latest" in stale.json()["detail"]


def test_someone_elses_judgment_reads_as_not_found(studio: Studio) -> None:
    manager, ann = _setup(studio)
    _, other = studio.user("bo@example.org", "annotator", skills=["python"])
    r = studio.client.post(
        f"{API}/projects/p/members", json={"email": "bo@example.org"}, headers=manager
    )
    assert r.status_code == 201, r.text
    (a, b), judgment_id = _submit(studio, ann)
    for headers in (other, manager):
        assert (
            studio.client.get(f"{API}/judgments/{judgment_id}", headers=headers).status_code == 404
        )
        sent = _revise(studio, headers, judgment_id, {"ranking": [b, a], "strength": 1}, "x")
        assert sent.status_code == 404, sent.text
    assert studio.client.get(f"{API}/judgments/999999", headers=ann).status_code == 404
    with studio.db.session() as s:
        assert not s.get_one(Judgment, judgment_id).superseded


def test_a_skip_cannot_be_revised(studio: Studio) -> None:
    _, ann = _setup(studio)
    lease = studio.client.post(f"{API}/projects/p/next", headers=ann).json()
    skipped = studio.client.post(
        f"{API}/assignments/{lease['assignment_id']}/judgment",
        json={"skip_reason": "unclear_prompt"},
        headers={**ann, "Idempotency-Key": "s1"},
    )
    judgment_id = skipped.json()["judgment_id"]
    a, b = (x["id"] for x in lease["candidates"])
    r = _revise(studio, ann, judgment_id, {"ranking": [a, b], "strength": 1}, "r1")
    assert r.status_code == 409 and "skip" in r.json()["detail"]
    assert (
        studio.client.get(f"{API}/judgments/{judgment_id}", headers=ann).json()["revisable"]
        is False
    )


def test_a_bad_revision_names_the_field(studio: Studio) -> None:
    _, ann = _setup(studio)
    (a, b), judgment_id = _submit(studio, ann)

    def problems(body: dict[str, Any], headers: dict[str, str] | None = None) -> str:
        r = studio.client.post(
            f"{API}/judgments/{judgment_id}/revision",
            json=body,
            headers=headers if headers is not None else {**ann, "Idempotency-Key": "bad"},
        )
        assert r.status_code == 422, r.text
        return " ".join(r.json()["problems"])

    wrong = problems({"ranking": [a, b, 999], "strength": 7})
    assert "ranking" in wrong and "strength" in wrong
    assert "ratings" in problems(
        {"ranking": [a, b], "strength": 1, "ratings": {str(a): {"vibes": 3}}}
    )
    assert "skip_reason" in problems({"skip_reason": "unclear_prompt"})
    assert "colour" in problems({"ranking": [a, b], "strength": 1, "colour": "red"})
    assert "idempotency-key" in problems({"ranking": [b, a], "strength": 1}, headers=ann)
    with studio.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Judgment)) == 1
        assert not s.get_one(Judgment, judgment_id).superseded


def _revise_link(judgment_id: int) -> str:
    return f'href="/judgments/{judgment_id}/revise"'


def _page_data(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="judge-data">(.*?)</script>', html, re.S)
    assert found, html
    return dict(json.loads(found.group(1)))


def test_a_rework_request_offers_revise_then_shows_the_revision(studio: Studio) -> None:
    manager, ann = _setup(studio)
    (a, b), judgment_id = _submit(studio, ann)
    review_id = _rework(studio, manager, judgment_id)
    [listed] = studio.client.get(f"{API}/me/reviews", headers=ann).json()
    assert (listed["can_revise"], listed["revision_id"]) == (True, None)
    c = studio.client
    csrf = _login(studio, "ann@example.org")  # a cookie session from here on, as in a browser
    mine = c.get("/me/reviews")
    assert mine.status_code == 200 and _revise_link(judgment_id) in mine.text

    page = c.get(f"/judgments/{judgment_id}/revise")
    assert page.status_code == 200, page.text
    assert "Say why." in page.text and "Submit revision" in page.text
    assert 'id="skip-open"' not in page.text and "<script>" not in page.text
    data = _page_data(page.text)
    assert [x["id"] for x in data["candidates"]] == [a, b]
    revision = data["revision"]
    assert revision["judgment_id"] == judgment_id
    assert revision["done_url"] == f"/me/reviews?notice=revised#review-{review_id}"
    answer = revision["answer"]
    assert (answer["ranking"], answer["strength"], answer["rationale"]) == ([a, b], 1, "A adds.")
    assert answer["ratings"] == {str(a): {"correctness": 4}} and len(answer["error_spans"]) == 1

    url = f"{API}/judgments/{judgment_id}/revision"
    body = {"ranking": [b, a], "strength": 1, "rationale": "B: A subtracts.", "active_seconds": 9}
    refused = c.post(url, json=body, headers={"Idempotency-Key": "page-1"})
    assert refused.status_code == 403  # a cookie session must send its CSRF token
    sent = c.post(url, json=body, headers={"Idempotency-Key": "page-1", "X-CSRF-Token": csrf})
    assert sent.status_code == 200, sent.text
    new_id = sent.json()["judgment_id"]

    after = c.get("/me/reviews?notice=revised")
    assert _revise_link(judgment_id) not in after.text
    assert MESSAGES["revised"] in after.text
    state = re.search(r'<dd class="revised-state">(.*?)</dd>', after.text, re.S)
    assert state and f"judgment {new_id} replaces this one" in state.group(1)
    assert MESSAGES["revised"] not in c.get("/me/reviews").text
    assert c.get(f"/judgments/{judgment_id}/revise").status_code == 409
    [listed] = studio.client.get(f"{API}/me/reviews", headers=ann).json()
    assert (listed["can_revise"], listed["revision_id"]) == (False, new_id)


def test_only_a_pending_rework_offers_revise(studio: Studio) -> None:
    manager, ann = _setup(studio)
    _, accepted = _submit(studio, ann, "k1")
    _, reworked = _submit(studio, ann, "k2")
    r = studio.client.post(
        f"{API}/judgments/{accepted}/review", json={"decision": "accept"}, headers=manager
    )
    assert r.status_code == 201, r.text
    _rework(studio, manager, reworked)
    reviews = {
        x["judgment_id"]: x for x in studio.client.get(f"{API}/me/reviews", headers=ann).json()
    }
    assert reviews[accepted]["can_revise"] is False and reviews[reworked]["can_revise"] is True
    page = studio.client.get("/me/reviews", headers=ann).text
    assert _revise_link(accepted) not in page and _revise_link(reworked) in page
    # Revising is open to one's own latest judgment at any time (docs/assignment.md), page included.
    assert studio.client.get(f"/judgments/{accepted}/revise", headers=ann).status_code == 200


def test_rework_is_paid_the_timer_seconds(studio: Studio) -> None:
    """A revision's time is a `rework` event of the timer's seconds, ending at the revision; pay
    reads it as min(window, active + allowance) with the window being those very seconds."""
    manager, ann = _setup(studio)
    (a, b), judgment_id = _submit(studio, ann)
    _rework(studio, manager, judgment_id)
    body = {"ranking": [b, a], "strength": 1, "rationale": "Fixed.", "active_seconds": 75}
    sent = _revise(studio, ann, judgment_id, body, "r1")
    assert sent.status_code == 200, sent.text
    assert _revise(studio, ann, judgment_id, body, "r1").json()["replayed"]  # paid once
    with studio.db.session() as s:
        [event] = s.scalars(select(WorkEvent).where(WorkEvent.kind == "rework"))
        assert event.seconds == 75 and event.meta["judgment_id"] == sent.json()["judgment_id"]
        assert (event.ended_at - event.started_at).total_seconds() == pytest.approx(75)
        week = Period.week_of(utcnow())
        [statement] = pay_store.issue_statements(s, "p", week.start, now=week.end)
        lines = s.scalars(select(PayLine).where(PayLine.statement_id == statement.id))
        paid = {li.ref["kind"]: int(li.ref["seconds"]) for li in lines if li.kind == "time"}
    assert paid["rework"] == 75
