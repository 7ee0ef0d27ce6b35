"""Rework in the browser: a manager asks for rework, the annotator opens *Revise* from "My
reviews", finds the earlier answer filled in, changes it with the keyboard and the mouse and sends
the revision; the stored revision ranks by candidate ids, whatever the order on screen.

Reuses the session's server (``conftest.studio``) and seeds a project of its own, ``rw``, through
the services on the same SQLite file.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Page
from sqlalchemy import select

from codejury.accounts import add_member, get_user_by_email
from codejury.assign import JudgmentIn, Lease, next_item_for, submit_judgment
from codejury.assign.judgments import MESSAGES
from codejury.candidates.store import build_items
from codejury.db.models import ErrorSpan, Judgment, WorkEvent
from codejury.projects import create_project, update_settings
from codejury.quality.review import review_judgment
from codejury.tasks.importer import import_tasks
from codejury.tasks.schema import TaskIn

pytestmark = pytest.mark.browser
NOTE = "Name the failing input: add(1, 2) gives -1."
PURPOSE = {
    "uses": "tests",
    "users": "the test suite",
    "retention": "a minute",
    "publishable": False,
}


@dataclass
class Seeded:
    judgment_id: int
    review_id: int
    shown: list[int]  # candidate ids in display order: A, B


def _seed(db: Any) -> Seeded:
    task = TaskIn.model_validate(
        {
            "external_id": "rw1",
            "prompt": "Write add(a, b) returning the sum.",
            "kind": "completion",
            "language": "python",
            "candidates": [
                {"source": "m1", "content": "def add(a, b):\n    return a + b\n"},
                {"source": "m2", "content": "def add(a, b):\n    return a - b\n"},
            ],
        }
    )
    with db.session() as s:
        ann, boss = (
            get_user_by_email(s, "ann@example.org"),
            get_user_by_email(s, "boss@example.org"),
        )
        assert ann is not None and boss is not None
        project = create_project(s, "rw", name="Rework", overlap=1, gold_rate=0.0)
        import_tasks(s, project, [task])
        build_items(s, project, "all")
        update_settings(s, project, purpose=PURPOSE, contact="ops@example.org", status="published")
        add_member(s, project, ann, None)
        add_member(s, project, boss, None)
        # This seed shows the candidates in the reverse of their id order.
        lease = next_item_for(s, ann, project, rng=random.Random(1))
        assert isinstance(lease, Lease) and lease.display_order != sorted(lease.display_order)
        a, b = lease.display_order
        payload = JudgmentIn.model_validate(
            {
                "ranking": [a, b],
                "strength": 2,
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
                "active_seconds": 20,
            }
        )
        result = submit_judgment(s, ann, lease.assignment_id, payload, idempotency_key="rw-1")
        judgment = s.get_one(Judgment, result.judgment_id)
        review = review_judgment(s, boss, judgment, "rework", "low_effort_rationale", NOTE)
        return Seeded(judgment.id, review.id, [a, b])


@pytest.fixture
def seeded(studio: Any) -> Iterator[Seeded]:
    yield _seed(studio.db)


def test_revise_a_judgment_after_a_rework_request(
    page: Page, studio: Any, login: Any, seeded: Seeded
) -> None:
    a, b = seeded.shown
    login(page, "ann@example.org")
    page.goto(studio.url + "/me/reviews")
    section = page.locator(f"#review-{seeded.review_id}")
    assert NOTE in section.locator(".explanation").inner_text()
    section.locator("a.revise-link").click()
    page.wait_for_url(f"**/judgments/{seeded.judgment_id}/revise")
    page.wait_for_selector("#judge-data", state="attached")

    # The item as it was shown, the reviewer's note above, the earlier answer filled in.
    assert [
        int(x) for x in page.locator(".cand").evaluate_all("l => l.map(c => c.dataset.cid)")
    ] == [a, b]
    assert NOTE in page.inner_text("#rework-note")
    assert page.is_checked('input[name="preference"][value="1"]')  # A much better
    assert page.is_checked(f'input[name="rate-{a}-correctness"][value="4"]')
    assert page.input_value("#rationale") == "A adds."
    assert "B · line 2 · logic · major" in page.inner_text("#flag-list")
    assert page.locator("#skip-open").count() == 0
    page.wait_for_function("() => document.getElementById('timer').textContent !== '0:00'")

    page.keyboard.press("5")  # the keyboard: B much better
    page.click(f'label:has(input[name="rate-{b}-correctness"][value="5"])')  # the mouse
    page.locator("#flag-list button", has_text="remove").click()
    page.keyboard.press("e")
    page.keyboard.press("Control+a")
    page.keyboard.type("A subtracts: add(1, 2) gives -1.")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    page.wait_for_url(f"**/me/reviews?notice=revised#review-{seeded.review_id}")
    assert page.inner_text("#revised-notice") == MESSAGES["revised"]
    section = page.locator(f"#review-{seeded.review_id}")
    assert section.locator("a.revise-link").count() == 0
    assert "revised" in section.locator(".revised-state").inner_text()

    with studio.db.session() as s:
        old = s.get_one(Judgment, seeded.judgment_id)
        new = s.scalars(select(Judgment).where(Judgment.supersedes_id == old.id)).one()
        assert old.superseded and not old.counted and new.counted
        assert (new.ranking, new.strength, new.shown_order) == ([b, a], 2, [a, b])
        assert new.ratings == {str(a): {"correctness": 4}, str(b): {"correctness": 5}}
        assert new.rationale == "A subtracts: add(1, 2) gives -1."
        assert not list(s.scalars(select(ErrorSpan).where(ErrorSpan.judgment_id == new.id)))
        assert new.active_seconds is not None and new.active_seconds >= 1
        events = s.scalars(select(WorkEvent).where(WorkEvent.kind == "rework"))
        [event] = [e for e in events if e.meta.get("judgment_id") == new.id]
        assert event.seconds == new.active_seconds  # paid as rework: the timer's seconds
