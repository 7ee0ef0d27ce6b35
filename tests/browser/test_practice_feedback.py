"""Practice items: after a submit the judging page shows the gold answer and its reason, then
"Next item" loads the next practice item."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page
from sqlalchemy import select

from codejury.accounts import add_member, get_user_by_email
from codejury.candidates.store import build_items
from codejury.db.models import Item
from codejury.projects import create_project, update_settings
from codejury.tasks.importer import import_tasks
from codejury.tasks.schema import TaskIn

pytestmark = pytest.mark.browser
REASON = "B subtracts; the tests call add(2, 3) and expect 5."


def _seed_practice(studio: Any) -> None:
    tasks = [
        TaskIn.model_validate(
            {
                "external_id": f"pr{i}",
                "prompt": f"Write add{i}(a, b).",
                "kind": "completion",
                "language": "python",
                "candidates": [
                    {"source": "m1", "content": f"def add{i}(a, b):\n    return a + b\n"},
                    {"source": "m2", "content": f"def add{i}(a, b):\n    return a - b\n"},
                ],
            }
        )
        for i in range(2)
    ]
    with studio.db.session() as s:
        project = create_project(s, "practice", name="Practice", overlap=1)
        import_tasks(s, project, tasks)
        build_items(s, project, "all")
        for item in s.scalars(select(Item).where(Item.project_id == project.id)):
            a, b = sorted(int(c) for c in item.candidate_ids)  # m1 (a + b) has the lower id
            item.purpose = "practice"
            item.gold_answer = {"ranking": [a, b], "strength": 1, "reason": REASON}
        card = {"uses": "practice", "users": "tests", "retention": "a minute", "publishable": False}
        update_settings(s, project, purpose=card, contact="ops@example.org", status="published")
        ann = get_user_by_email(s, "ann@example.org")
        assert ann is not None
        add_member(s, project, ann, None)
        s.commit()


def test_practice_submit_shows_gold_answer_then_next_item(
    page: Page, studio: Any, login: Any
) -> None:
    _seed_practice(studio)
    login(page, "ann@example.org")
    page.goto(studio.url + "/projects/practice/judge?purpose=practice")
    page.wait_for_selector("#judge-data", state="attached")
    first = page.evaluate("JSON.parse(document.getElementById('judge-data').textContent)")
    assert first["purpose"] == "practice"
    assert not page.is_visible("#practice-feedback")
    ids = [c["id"] for c in first["candidates"]]
    page.keyboard.press("5" if ids[0] == min(ids) else "1")  # the wrong answer, whatever the order
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#practice-feedback", state="visible")
    assert page.inner_text("#pf-reason") == REASON
    assert "differs" in page.inner_text("#pf-verdict")
    assert page.url.endswith("/projects/practice/judge?purpose=practice")  # no reload yet
    with page.expect_navigation():
        page.click("#pf-next")
    assert page.url.endswith("?purpose=practice")
    page.wait_for_selector("#judge-data", state="attached")
    second = page.evaluate("JSON.parse(document.getElementById('judge-data').textContent)")
    assert second["assignment_id"] != first["assignment_id"]
