"""The annotator's dashboard and impact page in the browser, against the session's server.

Seeds a project ``wb`` of its own on the same SQLite file: a week of accepted work by Ann two weeks
ago with its statement issued, and an export (with a training run) that used her judgments and
Zed's, plus one that used only Zed's. The dashboard's numbers must equal the API's and the
manager's pay page; the impact page must show Ann's export and run and nothing about Zed.
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
from codejury.db.models import (
    Assignment,
    Export,
    ExportContributor,
    Membership,
    TrainingRun,
    User,
    WorkEvent,
)
from codejury.pay import store
from codejury.pay.statements import Period
from functional.test_quality_store import add_judgment
from support.builders import make_items, make_project

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@dataclass
class Seeded:
    export_id: str
    other_export_id: str
    zed: dict[str, str]


def _user(s: Any, email: str, name: str, role: str = "annotator") -> User:
    return get_user_by_email(s, email) or create_user(s, email, name, role, password=PASSWORD)


def _work(s: Any, project: Any, ann: User, week: Period) -> None:
    for i, item in enumerate(make_items(s, project, 3, commit=False)):
        start = week.start + timedelta(days=1, hours=i)
        end = start + timedelta(minutes=20)
        a = Assignment(item_id=item.id, user_id=ann.id, project_id=project.id,
                       display_order=item.candidate_ids, leased_at=start, state="submitted",
                       expires_at=start + timedelta(hours=1))  # fmt: skip
        s.add(a)
        s.flush()
        add_judgment(s, ann, item, list(item.candidate_ids), at=end, status="accepted",
                     assignment_id=a.id, status_at=end)  # fmt: skip
        s.add_all([
            WorkEvent(user_id=ann.id, project_id=project.id, kind="lease", assignment_id=a.id,
                      started_at=start, ended_at=start),
            WorkEvent(user_id=ann.id, project_id=project.id, kind="submit", assignment_id=a.id,
                      started_at=end, ended_at=end, seconds=1200),
        ])  # fmt: skip


def _export(s: Any, project: Any, public_id: str, people: dict[User, int]) -> Export:
    row = Export(public_id=public_id, project_id=project.id, kind="preferences", format="jsonl",
                 row_count=sum(people.values()), content_hash="h", path="/exports/x")  # fmt: skip
    s.add(row)
    s.flush()
    s.add_all(ExportContributor(export_id=row.id, user_id=u.id, judgments=n)
              for u, n in people.items())  # fmt: skip
    return row


@pytest.fixture(scope="module")
def seeded(studio: Any) -> Iterator[Seeded]:
    week = Period.week_of(utcnow() - timedelta(days=14))
    with studio.db.session() as s:
        ann = _user(s, "ann@example.org", "Ann")
        boss = _user(s, "boss@example.org", "Boss", "manager")
        zed = _user(s, "zed.secret@example.org", "Zed Zebrafish")
        project = make_project(s, slug="wb", name="Wellbeing", overlap=2,
                               purpose={"uses": "a reward model", "users": "the eval team",
                                        "retention": "two years", "publishable": False},
                               contact="ops@example.org")  # fmt: skip
        s.add_all(Membership(project_id=project.id, user_id=u.id) for u in (ann, boss, zed))
        store.set_pay_rate(s, project, "0.50", "12", now=week.start - timedelta(days=30))
        _work(s, project, ann, week)
        s.commit()
        store.issue_statements(s, project, week.start)
        shared = _export(s, project, "exp-wb-shared", {ann: 3, zed: 4})
        other = _export(s, project, "exp-wb-zed-only", {zed: 5})
        s.add(TrainingRun(export_id=shared.id, project_id=project.id, kind="reward",
                          base_model="tiny-reward-base", status="finished",
                          metrics={"eval_accuracy": 0.734, "by": zed.email}))  # fmt: skip
        s.add(TrainingRun(export_id=other.id, project_id=project.id, kind="dpo",
                          base_model="zed-only-model"))  # fmt: skip
        s.commit()
        details = {"name": zed.name, "email": zed.email, "pseudonym": zed.pseudonym}
    yield Seeded("exp-wb-shared", "exp-wb-zed-only", details)


def _login(page: Page, url: str, email: str) -> None:
    page.goto(url + "/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url("**/projects")


def _cell(page: Page, scope: str, key: str) -> str:
    return page.locator(f'{scope} [data-k="{key}"]').first.inner_text().strip()


def test_dashboard_numbers_equal_the_api_and_the_managers_pay_page(
    browser: Browser, studio: Any, seeded: Seeded
) -> None:
    ann = browser.new_context()
    page = ann.new_page()
    _login(page, studio.url, "ann@example.org")
    page.goto(studio.url + "/me")
    card = "#project-wb .project-earnings"
    shown = {k: _cell(page, card, k) for k in ("issued", "paid_hours", "effective_hourly")}
    api = page.request.get(studio.url + "/api/v1/me/earnings?project=wb").json()
    [usd] = api["currencies"]
    assert shown == {
        "issued": f"{usd['issued']} USD",
        "paid_hours": usd["paid_hours"],
        "effective_hourly": f"{usd['effective_hourly']} USD/h",
    }
    assert usd["issued"] == "12.00"
    purpose = page.locator("#project-wb .purpose").inner_text()
    assert "a reward model" in purpose and "ops@example.org" in purpose
    ann_id = page.request.get(studio.url + "/api/v1/me").json()["id"]
    ann.close()

    boss = browser.new_context()
    page = boss.new_page()
    _login(page, studio.url, "boss@example.org")
    page.goto(studio.url + "/projects/wb/pay")
    row = f'.pay-table tr[data-user="{ann_id}"]'
    assert _cell(page, row, "total") == shown["issued"]
    assert _cell(page, row, "paid_hours") == shown["paid_hours"]
    assert _cell(page, row, "effective_hourly") == shown["effective_hourly"]
    assert page.locator("svg rect").count() >= 1  # the hourly histogram
    boss.close()


def test_impact_page_lists_their_export_and_run_and_no_one_else(
    browser: Browser, studio: Any, seeded: Seeded
) -> None:
    ctx = browser.new_context()
    page = ctx.new_page()
    _login(page, studio.url, "ann@example.org")
    page.goto(studio.url + "/me/impact")
    export = page.locator(f"#export-{seeded.export_id}")
    assert export.locator(".mine").inner_text().strip() == "3"
    text = export.inner_text()
    assert "tiny-reward-base" in text and "eval_accuracy" in text and "0.734" in text
    html = page.content()
    assert seeded.other_export_id not in html and "zed-only-model" not in html
    for detail in seeded.zed.values():
        assert detail not in html
    ctx.close()
