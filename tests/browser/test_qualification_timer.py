"""The qualification page's active-time counter (static/timer.js): it fills the finish form's hidden
``active_seconds`` on submit, and stops counting when there is no input or the tab is hidden."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import Page
from sqlalchemy import select

from codejury.accounts import add_member, get_user_by_email
from codejury.candidates.store import build_items
from codejury.db.models import Item, WorkEvent
from codejury.projects import create_project, update_settings
from codejury.tasks.importer import import_tasks
from codejury.tasks.schema import TaskIn

pytestmark = pytest.mark.browser
CARD = {"uses": "qualification", "users": "tests", "retention": "a minute", "publishable": False}


def _seed_qualification(studio: Any, slug: str) -> None:
    tasks = [
        TaskIn.model_validate(
            {
                "external_id": f"{slug}{i}",
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
        project = create_project(s, slug, name=f"Qualification {slug}", overlap=1)
        project.qualification_required = True
        project.qualification_size = 2
        import_tasks(s, project, tasks)
        build_items(s, project, "all")
        for item in s.scalars(select(Item).where(Item.project_id == project.id)):
            a, b = sorted(int(c) for c in item.candidate_ids)
            item.purpose = "qualification"
            item.is_gold = True
            item.gold_answer = {"ranking": [a, b], "strength": 1, "reason": "b subtracts"}
        update_settings(s, project, purpose=CARD, contact="ops@example.org", status="published")
        ann = get_user_by_email(s, "ann@example.org")
        assert ann is not None
        add_member(s, project, ann, None)
        s.commit()


def _start(page: Page, url: str) -> None:
    page.goto(url)
    with page.expect_navigation():
        page.click("#start-qualification")
    assert "purpose=qualification" in page.url
    page.goto(url)  # back on the qualification page, with the attempt open
    page.wait_for_selector("#active-time", state="visible")


def test_finish_sends_the_active_seconds_counted_on_the_page(
    page: Page, studio: Any, login: Any
) -> None:
    _seed_qualification(studio, "qual-timer")
    login(page, "ann@example.org")
    url = studio.url + "/projects/qual-timer/qualification"
    _start(page, url)
    for step in range(6):  # about three seconds of someone reading the page
        page.mouse.move(200 + step * 10, 300)
        time.sleep(0.5)
    with page.expect_request(lambda r: r.method == "POST" and "finish" in r.url) as sent:
        page.click("#finish")
    posted = parse_qs(sent.value.post_data or "")
    seconds = int(posted["active_seconds"][0])
    assert seconds >= 1
    page.wait_for_selector("#result")
    assert page.is_hidden("#active-time")  # the attempt is finished: nothing is counted now
    with studio.db.session() as s:
        event = s.scalars(
            select(WorkEvent).where(WorkEvent.kind == "qualification").order_by(WorkEvent.id.desc())
        ).first()
        assert event is not None and event.seconds == seconds


def _seconds(page: Page) -> int:
    minutes, seconds = page.inner_text("#active-time-value").split(":")
    return int(minutes) * 60 + int(seconds)


def test_counter_stops_when_idle_or_hidden(page: Page, studio: Any, login: Any) -> None:
    _seed_qualification(studio, "qual-idle")
    login(page, "ann@example.org")
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    page.clock.install(time=start)
    _start(page, studio.url + "/projects/qual-idle/qualification")
    page.clock.pause_at(start + timedelta(hours=1))  # a long time without input
    assert page.inner_text("#active-time-state") == "paused"
    before = _seconds(page)
    page.mouse.move(100, 100)
    page.clock.run_for(5_000)
    assert _seconds(page) == before + 5 and page.inner_text("#active-time-state") == "active"
    page.clock.run_for(300_000)  # no input: counting stops at the idle threshold (120 s)
    assert _seconds(page) == before + 120 and page.inner_text("#active-time-state") == "paused"
    page.evaluate(
        "Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'})"
    )
    for step in range(5):  # input while the tab is hidden does not count either
        page.mouse.move(200 + step, 200)
        page.clock.run_for(2_000)
    assert _seconds(page) == before + 120

    page.route("**/qualification/finish", lambda route: route.fulfill(status=204))
    with page.expect_request(lambda r: r.method == "POST" and "finish" in r.url) as sent:
        page.click("#finish")
    assert parse_qs(sent.value.post_data or "")["active_seconds"] == [str(before + 120)]
