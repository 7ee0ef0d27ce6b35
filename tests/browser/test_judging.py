"""An annotator judges with the keyboard alone; model output shows as inert text."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page
from sqlalchemy import select

from codejury.db.models import ErrorSpan, Judgment, Project, User

pytestmark = pytest.mark.browser


def _judge_one(page: Page, number: int) -> None:
    page.wait_for_selector("#judge-data", state="attached")
    page.keyboard.press("2")  # A better
    page.keyboard.press("r")
    page.keyboard.press("4")  # correctness of the focused response (A)
    page.keyboard.press("j")  # line 2 of A
    page.keyboard.press("x")  # flag it: the category select takes focus
    assert page.evaluate("document.activeElement.id") == "flag-category"
    page.keyboard.press("ArrowDown")  # logic -> off_by_one
    page.keyboard.press("Enter")
    page.keyboard.press("e")
    page.keyboard.type(f"B subtracts instead of adding ({number})")
    with page.expect_navigation():  # the next item loads at once
        page.keyboard.press("Control+Enter")
    page.wait_for_function(
        "n => document.getElementById('judged-today').textContent.trim() === String(n)",
        arg=number,
    )


def test_judging_three_items_with_the_keyboard(page: Page, studio: Any, login: Any) -> None:
    login(page, "ann@example.org")
    page.goto(studio.url + "/projects/p/judge")
    assert page.inner_text("#judged-today") == "0"
    for number in (1, 2, 3):
        _judge_one(page, number)
        assert page.is_visible("#flash")
    with studio.db.session() as s:
        ann = s.scalars(select(User).where(User.email == "ann@example.org")).one()
        project = s.scalars(select(Project).where(Project.slug == "p")).one()
        rows = list(
            s.scalars(
                select(Judgment).where(
                    Judgment.user_id == ann.id, Judgment.project_id == project.id
                )
            )
        )
        assert len(rows) == 3
        for j in rows:
            a, b = j.shown_order
            assert j.ranking == [a, b] and j.strength == 1
            assert j.ratings == {str(a): {"correctness": 4}}
            assert j.rationale and j.rationale.startswith("B subtracts")
            assert j.active_seconds is not None and j.active_seconds >= 0
            spans = list(s.scalars(select(ErrorSpan).where(ErrorSpan.judgment_id == j.id)))
            assert [(x.candidate_id, x.line_start, x.line_end, x.category) for x in spans] == [
                (a, 2, 2, "off_by_one")
            ]


def test_model_output_is_shown_as_text_and_runs_nothing(
    page: Page, studio: Any, login: Any
) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    login(page, "ann@example.org")
    page.goto(studio.url + "/projects/xss/judge")
    page.wait_for_selector("#judge-data", state="attached")
    text = page.inner_text("main")
    assert "<script>window.__pwned = 1</script>" in text
    assert '<img src=x onerror="window.__pwned = 2">' in text
    assert "{{ 7*7 }}" in text and "Explain <b>{{ 7*7 }}</b>" in text
    assert "49" not in text
    assert page.locator("main img").count() == 0
    assert page.locator("main b").count() == 0
    page.keyboard.press("d")  # the diff shows the same text, escaped too
    assert page.is_visible("#diff")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert dialogs == []
