"""The demo studio: a HumanEval project with canonical and mutated candidates, ready to judge.

``build_demo`` works on any database, fresh or already holding the demo (every step only adds what
is missing). With the sandbox, mutants are verified to fail the task's tests and every candidate
carries its execution evidence; without it, mutants are added unverified and without evidence.
Mutated candidates are labelled "synthetic" on the judging page in the demo only
(``Project.settings["label_synthetic"]``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from codejury.accounts import add_member, create_user, get_user_by_email, is_member
from codejury.config import Settings
from codejury.db import Database
from codejury.db.models import Candidate, Item, Project, Task, User
from codejury.errors import SandboxUnavailable

logger = logging.getLogger(__name__)

SLUG = "humaneval-demo"
PASSWORD = "codejury-demo"  # fixed and printed: the demo is for trying CodeJury out locally
ACCOUNTS: tuple[tuple[str, str, str], ...] = (
    ("admin@demo.codejury", "Ada Admin", "admin"),
    ("manager@demo.codejury", "Max Manager", "manager"),
    ("ann@demo.codejury", "Ann Annotator", "annotator"),
    ("bo@demo.codejury", "Bo Annotator", "annotator"),
    ("cy@demo.codejury", "Cy Annotator", "annotator"),
)
PURPOSE = {
    "uses": "trying CodeJury out: preference data and a reward model demo",
    "users": "whoever runs this demo",
    "retention": "until the demo data folder is deleted",
    "publishable": False,
}
GUIDELINES = """# HumanEval demo

Each item shows a Python programming problem (the prompt) and two responses.
One may be the canonical solution; others were made by **mutating** a correct program
(in this demo they are labelled *synthetic*).

1. Decide which response is better. Correctness comes first: read the code, then check the
   execution evidence (tests passed, first failing test).
2. Rate each response on the rubric.
3. Flag the line(s) that are wrong: select them, pick a category and a severity.
4. Say in one or two sentences what decided it.
"""
Log = Callable[[str], None]


@dataclass
class DemoReport:
    project: str = SLUG
    tasks: int = 0
    candidates: int = 0
    items: int = 0
    gold_items: int = 0
    sandbox: bool = True
    sandbox_message: str = ""
    accounts: list[tuple[str, str, str]] = field(default_factory=list)
    seconds: float = 0.0


def _accounts(session: Session) -> list[User]:
    users = []
    for email, name, role in ACCOUNTS:
        user = get_user_by_email(session, email)
        if user is None:
            user = create_user(session, email, name, role, password=PASSWORD, skills=["python"])
        users.append(user)
    return users


def _project(session: Session, admin: User, users: list[User]) -> Project:
    from codejury.projects import create_project

    project = session.scalar(select(Project).where(Project.slug == SLUG))
    if project is None:
        project = create_project(
            session, SLUG, name="HumanEval demo", guidelines=GUIDELINES, overlap=2, actor=admin
        )
    for user in users:
        if user.role != "admin" and not is_member(session, project, user):
            add_member(session, project, user, admin)
    return project


def _import(session: Session, project: Project, limit: int | None) -> None:
    from codejury.tasks.humaneval import humaneval_tasks
    from codejury.tasks.importer import import_tasks

    import_tasks(session, project, humaneval_tasks(limit))


def _candidates_with_sandbox(session: Session, project: Project, settings: Settings) -> None:
    from codejury.candidates.mutants import mutate_project
    from codejury.sandbox.isolation import SandboxConfig, ensure_available
    from codejury.sandbox.store import execute_project

    config = SandboxConfig.from_settings(settings)
    ensure_available(config)
    mutate_project(session, project, per_task=2)
    execute_project(session, project.slug, config=config)


def _unverified_mutants(session: Session, project: Project, per_task: int = 2) -> None:
    """Without a sandbox: mutants made but never run (no evidence, not known to fail)."""
    from codejury.candidates.mutation import plan_mutants
    from codejury.candidates.store import CandidateWriter

    tasks = list(session.scalars(select(Task).where(Task.project_id == project.id)))
    writer = CandidateWriter(session, [t.id for t in tasks])
    for task in tasks:
        have = session.scalar(
            select(Candidate.id).where(Candidate.task_id == task.id, Candidate.synthetic)
        )
        if have is not None or not task.reference:
            continue
        for mutant in plan_mutants(task.reference, seed=task.external_id, limit=per_task):
            meta = {"mutation": mutant.kind, "line": mutant.line, "verified": False}
            writer.add(task.id, mutant.code, source="mutant", source_meta=meta, synthetic=True)
    session.commit()


def _items(session: Session, project: Project, sandbox: bool) -> None:
    from codejury.candidates.store import build_items, create_gold_items

    if sandbox:  # gold first: a pair that is gold is not also built as a regular item
        create_gold_items(session, project)
    build_items(session, project, "informative", include_synthetic=True)


def _publish(session: Session, project: Project, admin: User) -> None:
    from codejury.projects import update_settings

    if project.status != "published":
        contact = "the person who started this demo"
        update_settings(
            session, project, actor=admin, purpose=PURPOSE, contact=contact, status="published"
        )
    if not (project.settings or {}).get("label_synthetic"):
        project.settings = {**(project.settings or {}), "label_synthetic": True}
        session.commit()


def _count(session: Session, report: DemoReport, project: Project) -> None:
    def n(query: Select[int]) -> int:
        return int(session.scalar(query) or 0)

    report.tasks = n(select(func.count(Task.id)).where(Task.project_id == project.id))
    report.candidates = n(
        select(func.count(Candidate.id))
        .join(Task, Task.id == Candidate.task_id)
        .where(Task.project_id == project.id)
    )
    report.items = n(select(func.count(Item.id)).where(Item.project_id == project.id))
    report.gold_items = n(
        select(func.count(Item.id)).where(Item.project_id == project.id, Item.is_gold)
    )


def build_demo(
    database: Database, settings: Settings, *, tasks: int | None = None, log: Log | None = None
) -> DemoReport:
    """Build (or complete) the demo project and accounts; ``tasks`` limits HumanEval's 164."""
    say = log or logger.info
    started = time.perf_counter()
    report = DemoReport()
    with database.session() as session:
        users = _accounts(session)
        report.accounts = [(u.email, u.role, PASSWORD) for u in users]
        project = _project(session, users[0], users)
        say(f"importing HumanEval ({tasks or 'all'} tasks)")
        _import(session, project, tasks)
        say("making mutated candidates and running them in the sandbox")
        try:
            _candidates_with_sandbox(session, project, settings)
        except SandboxUnavailable as exc:
            session.rollback()
            report.sandbox, report.sandbox_message = False, str(exc)
            say(f"sandbox unavailable, continuing without execution evidence: {exc}")
            _unverified_mutants(session, project)
        _items(session, project, report.sandbox)
        _publish(session, project, users[0])
        _count(session, report, project)
    report.seconds = time.perf_counter() - started
    return report
