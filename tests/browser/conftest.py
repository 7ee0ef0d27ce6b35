"""A real studio (``codejury serve`` on a free port) over a seeded SQLite file, and Chromium.

Seeding goes through the services on the same file before the server starts: three people, a
published project ``p`` with six two-candidate items, and a project ``xss`` whose prompt and
candidates hold markup and template syntax that must show as text.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from codejury.accounts import add_member, create_user
from codejury.candidates.store import build_items
from codejury.db import Database, open_database
from codejury.projects import create_project, update_settings
from codejury.tasks.importer import import_tasks
from codejury.tasks.schema import TaskIn
from support.server import serving

PASSWORD = "correct horse battery"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
EVIL = (
    "def f(x):\n"
    "    s = '<script>window.__pwned = 1</script>'\n"
    "    t = '<img src=x onerror=\"window.__pwned = 2\">'\n"
    "    return '{{ 7*7 }}'\n"
)
PURPOSE = {
    "uses": "tests",
    "users": "the test suite",
    "retention": "a minute",
    "publishable": False,
}


@dataclass
class Studio:
    url: str
    db: Database


def _task(i: int, a: str, b: str, prompt: str | None = None) -> TaskIn:
    return TaskIn.model_validate(
        {
            "external_id": f"t{i}",
            "prompt": prompt or f"Write add{i}(a, b) returning the sum.",
            "kind": "completion",
            "language": "python",
            "candidates": [{"source": "m1", "content": a}, {"source": "m2", "content": b}],
        }
    )


def _project(db: Database, slug: str, tasks: list[TaskIn], people: list[str]) -> None:
    with db.session() as s:
        from codejury.accounts import get_user_by_email

        project = create_project(s, slug, name=f"Project {slug}", overlap=1)
        import_tasks(s, project, tasks)
        build_items(s, project, "all")
        update_settings(s, project, purpose=PURPOSE, contact="ops@example.org", status="published")
        for email in people:
            user = get_user_by_email(s, email)
            assert user is not None
            add_member(s, project, user, None)


def seed(db: Database) -> None:
    with db.session() as s:
        create_user(s, "ann@example.org", "Ann", "annotator", password=PASSWORD, skills=["python"])
        create_user(s, "boss@example.org", "Boss", "manager", password=PASSWORD)
        create_user(s, "root@example.org", "Root", "admin", password=PASSWORD)
    work = [
        _task(i, f"def add{i}(a, b):\n    return a + b\n", f"def add{i}(a, b):\n    return a - b\n")
        for i in range(6)
    ]
    _project(db, "p", work, ["ann@example.org", "boss@example.org"])
    evil = _task(0, EVIL, "def f(x):\n    return x\n", prompt="Explain <b>{{ 7*7 }}</b>" + EVIL)
    _project(db, "xss", [evil], ["ann@example.org"])


@pytest.fixture(scope="session")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Studio]:
    data = tmp_path_factory.mktemp("studio")
    url = f"sqlite:///{data / 'codejury.sqlite3'}"
    db = open_database(url)
    seed(db)
    try:
        with serving(data, url, "browser-test-secret-0123456789") as base:
            yield Studio(base, db)
    finally:
        db.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


Login = Callable[[Page, str], None]


@pytest.fixture
def login(studio: Studio) -> Login:
    """Log in through the form (Enter submits it)."""

    def do(page: Page, email: str) -> None:
        page.goto(studio.url + "/login")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.press("#password", "Enter")
        page.wait_for_url("**/projects")

    return do
