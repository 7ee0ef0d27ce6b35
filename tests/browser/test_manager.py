"""A manager creates a project, uploads tasks and edits the guidelines; pages need a session."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page
from sqlalchemy import func, select

from codejury.db.models import GuidelineVersion, Project, Task

pytestmark = pytest.mark.browser


def test_manager_creates_uploads_and_edits(
    page: Page, studio: Any, login: Any, tmp_path: Path
) -> None:
    login(page, "boss@example.org")
    page.click("text=New project")
    page.fill("#slug", "fresh")
    page.fill("#name", "Fresh project")
    page.click("button:has-text('Create project')")
    page.wait_for_url("**/projects/fresh/manage*")
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text(
        "\n".join(
            json.dumps(
                {"external_id": f"u{i}", "prompt": "p", "kind": "completion", "language": "python"}
            )
            for i in range(4)
        )
    )
    page.set_input_files("#file", str(tasks))
    page.click("button:has-text('Upload')")
    page.wait_for_selector("text=Tasks imported.")
    page.fill("#g-body", "# New rules\n\nRead the code first.")
    page.click("button:has-text('Save as new version')")
    page.wait_for_selector("#g-version:has-text('version 2')")
    assert page.locator(".history li").count() == 2
    with studio.db.session() as s:
        project = s.scalars(select(Project).where(Project.slug == "fresh")).one()
        assert s.scalar(select(func.count(Task.id)).where(Task.project_id == project.id)) == 4
        versions = s.scalars(
            select(GuidelineVersion.body).where(GuidelineVersion.project_id == project.id)
        ).all()
        assert len(versions) == 2 and "# New rules\n\nRead the code first." in versions


def test_bad_upload_lists_every_problem_line(
    page: Page, studio: Any, login: Any, tmp_path: Path
) -> None:
    login(page, "boss@example.org")
    page.goto(studio.url + "/projects/p/manage")
    bad = tmp_path / "bad.jsonl"
    good = {"external_id": "z1", "prompt": "p", "kind": "completion", "language": "python"}
    bad.write_text(
        json.dumps(good) + "\n{oops\n" + json.dumps({**good, "external_id": "z2", "kind": 3})
    )
    page.set_input_files("#file", str(bad))
    page.click("button:has-text('Upload')")
    problems = page.locator(".problems li").all_inner_texts()
    assert [p.split(":")[1] for p in problems] == ["2", "3"]


@pytest.mark.parametrize(
    "path", ["/projects", "/projects/p", "/projects/p/judge", "/projects/p/manage", "/users"]
)
def test_pages_without_a_session_go_to_login(page: Page, studio: Any, path: str) -> None:
    page.goto(studio.url + path)
    assert page.url.startswith(studio.url + "/login?next=")
    assert page.is_visible("#email")
