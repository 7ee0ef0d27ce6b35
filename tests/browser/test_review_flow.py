"""Review and appeal in the browser: a manager rejects with a reason, the annotator appeals, a
second manager grants it; an appeal past its deadline shows as escalated.

Reuses the session's server (``conftest.studio``) and seeds a project of its own, ``rv``, through
the services on the same SQLite file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from codejury.accounts import create_user, get_user_by_email
from codejury.db.base import utcnow
from codejury.db.models import Flag, Judgment, Membership, User
from codejury.quality.review import appeal, escalate_overdue, review_judgment
from functional.test_quality_store import add_judgment
from support.builders import make_items, make_project

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@dataclass
class Seeded:
    slug: str
    fresh: int  # judgment to be reviewed in the browser
    overdue_appeal: int


def _user(s: Any, email: str, role: str) -> User:
    user = get_user_by_email(s, email)
    if user is None:
        user = create_user(s, email, email.split("@")[0].title(), role, password=PASSWORD)
    return user


def _seed(db: Any) -> Seeded:
    with db.session() as s:
        ann, boss = (
            _user(s, "ann@example.org", "annotator"),
            _user(s, "boss@example.org", "manager"),
        )
        second = _user(s, "second@example.org", "manager")
        project = make_project(s, slug="rv", name="Review flow", overlap=2)
        for user in (ann, boss, second):
            s.add(Membership(project_id=project.id, user_id=user.id))
        old_item, item = make_items(s, project, 2, commit=False)
        fresh = add_judgment(s, ann, item, list(item.candidate_ids), 2, active_seconds=4.0)
        old = add_judgment(s, ann, old_item, list(old_item.candidate_ids), 1)
        s.add(
            Flag(
                project_id=project.id,
                user_id=ann.id,
                kind="too_fast",
                evidence={"median_seconds": 4.0},
            )
        )
        s.commit()
        past = utcnow() - timedelta(days=8)
        review = review_judgment(
            s,
            boss,
            s.get_one(Judgment, old.id),
            "reject",
            "low_effort_rationale",
            "No rationale.",
            now=past,
        )
        late = appeal(s, ann, review, "I wrote one.", now=past, deadline_days=7)
        escalate_overdue(s, utcnow())
        return Seeded(project.slug, fresh.id, late.id)


@pytest.fixture
def seeded(studio: Any) -> Iterator[Seeded]:
    yield _seed(studio.db)


def _page_as(browser: Browser, base: str, email: str) -> Page:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url("**/projects")
    return page


def test_reject_appeal_and_grant_by_another_manager(
    browser: Browser, studio: Any, seeded: Seeded
) -> None:
    boss = _page_as(browser, studio.url, "boss@example.org")
    boss.goto(f"{studio.url}/projects/{seeded.slug}/review")
    row = boss.locator(f"#j-{seeded.fresh}")
    row.locator("select[name=decision]").select_option("reject")
    row.locator("select[name=reason_code]").select_option("ignored_guidelines")
    row.locator("textarea[name=explanation]").fill("Rule 4: <run the tests> first.")
    row.locator("button[type=submit]").click()
    boss.wait_for_selector("text=Saved.")
    assert boss.locator(f"#j-{seeded.fresh}").count() == 0  # decided: out of the queue

    ann = _page_as(browser, studio.url, "ann@example.org")
    ann.goto(studio.url + "/me/reviews")
    section = ann.locator("section.review", has_text=f"Judgment {seeded.fresh}")
    assert "Rule 4: <run the tests> first." in section.locator(".explanation").inner_text()
    section.locator("textarea[name=message]").fill("I ran them; both pass.")
    section.locator("button:has-text('Appeal')").click()
    ann.wait_for_selector("text=Saved.")
    section = ann.locator("section.review", has_text=f"Judgment {seeded.fresh}")
    assert "open" in section.locator(".appeal-state").inner_text()

    boss.goto(f"{studio.url}/projects/{seeded.slug}/appeals")
    assert boss.locator("text=Your review: another manager decides.").count() >= 1
    second = _page_as(browser, studio.url, "second@example.org")
    second.goto(f"{studio.url}/projects/{seeded.slug}/appeals")
    row = second.locator("tr", has_text="I ran them; both pass.")
    row.locator("textarea[name=note]").fill("Agreed, the tests pass.")
    row.locator("button:has-text('Grant')").click()
    second.wait_for_selector("text=Saved.")
    assert "granted" in second.locator("tr", has_text="I ran them; both pass.").inner_text()
    with studio.db.session() as s:
        assert s.get_one(Judgment, seeded.fresh).status == "accepted"

    overdue = second.locator(f"#appeal-{seeded.overdue_appeal}")
    assert "escalated" in overdue.inner_text() and "overdue" in overdue.inner_text()
    assert "warning" in (overdue.get_attribute("class") or "")
    for page in (boss, ann, second):
        page.context.close()
