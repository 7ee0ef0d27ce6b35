"""k-way ranking with the keyboard alone: number keys pick responses in rank order, Shift+arrows
move the picked one, 0 starts over; digits typed into the rationale leave the ranking alone, and the
stored ranking is candidate ids, best first.

Reuses the session's server (``conftest.studio``) and seeds a ranking project of its own, ``rank``
(three responses per item), with its own annotator, through the services on the same SQLite file.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Page
from sqlalchemy import select

from codejury.accounts import add_member, create_user
from codejury.db.models import Judgment, User
from codejury.projects import create_project, update_settings
from support.builders import make_items

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"
PURPOSE = {
    "uses": "tests",
    "users": "the test suite",
    "retention": "a minute",
    "publishable": False,
}


@pytest.fixture(scope="module")
def ranker(studio: Any) -> str:
    with studio.db.session() as s:
        user = create_user(s, "rae@example.org", "Rae", "annotator", password=PASSWORD)
        project = create_project(
            s, "rank", name="Ranking", mode="ranking", k=3, overlap=1, gold_rate=0.0
        )
        make_items(s, project, 2, k=3)
        update_settings(s, project, purpose=PURPOSE, contact="ops@example.org", status="published")
        add_member(s, project, user, None)
    return "rae@example.org"


def _order(page: Page) -> list[str]:
    return page.eval_on_selector_all('select[name="rank"]', "els => els.map(e => e.value)")


def test_ranking_three_responses_with_the_keyboard(
    page: Page, studio: Any, login: Any, ranker: str
) -> None:
    login(page, ranker)
    page.goto(studio.url + "/projects/rank/judge")
    data = json.loads(page.text_content("#judge-data") or "{}")
    assert data["mode"] == "ranking" and len(data["candidates"]) == 3
    a, b, c = (str(x["id"]) for x in data["candidates"])  # display order: A, B, C
    assert not page.is_visible("#skip-form") and not page.is_visible("#flag-form")
    live = page.locator("#rank-order")
    assert live.get_attribute("aria-live") == "polite"
    help_text = page.inner_text("#help-body")
    assert "clear the ranking" in help_text and "move the picked response" in help_text
    assert "pick a response" in help_text and "unrank" in help_text
    assert "submit" in help_text and "skip" in help_text and "pause" in help_text

    for key in "213":  # numbers pressed best first build the ranking
        page.keyboard.press(key)
    assert _order(page) == [b, a, c]
    assert "1. Response B, 2. Response A, 3. Response C" in live.inner_text()
    assert page.inner_text("#cand-B .rank-badge") == "#1"
    page.keyboard.press("0")  # start over
    assert _order(page) == ["", "", ""] and "Ranking cleared" in live.inner_text()

    for key in "123":
        page.keyboard.press(key)
    page.keyboard.press("3")  # pick C again, then move it to the top
    page.keyboard.press("Shift+ArrowUp")
    page.keyboard.press("Shift+ArrowUp")
    assert _order(page) == [c, a, b]
    page.keyboard.press("1")  # A out of the ranking and back in: it goes last
    page.keyboard.press("Backspace")
    assert _order(page) == [c, b, ""] and "1 of 3 not ranked yet" in live.inner_text()
    page.keyboard.press("1")
    page.keyboard.press("Shift+ArrowUp")
    assert _order(page) == [c, a, b]
    assert "1. Response C, 2. Response A, 3. Response B" in live.inner_text()

    page.keyboard.press("e")  # digits, 0 and Backspace in the rationale are text, not keys
    assert page.evaluate("document.activeElement.id") == "rationale"
    page.keyboard.type("C beats 2 and 3, 0 doubts1")
    page.keyboard.press("Backspace")
    page.keyboard.press("Shift+ArrowUp")
    assert _order(page) == [c, a, b]
    assert page.input_value("#rationale") == "C beats 2 and 3, 0 doubts"
    page.keyboard.press("Escape")
    with page.expect_navigation():  # the next item loads at once
        page.keyboard.press("Control+Enter")

    with studio.db.session() as s:
        rae = s.scalars(select(User).where(User.email == ranker)).one()
        (judgment,) = s.scalars(select(Judgment).where(Judgment.user_id == rae.id))
        assert judgment.ranking == [int(c), int(a), int(b)]
        assert judgment.shown_order == [int(a), int(b), int(c)]
        assert judgment.strength is None and judgment.rationale == "C beats 2 and 3, 0 doubts"
