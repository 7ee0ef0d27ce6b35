"""Create, read and change projects. Every change by a person is audited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from codejury.accounts.audit import audit
from codejury.db.base import utcnow
from codejury.db.models import GuidelineVersion, PayRate, Project, RubricVersion, User
from codejury.errors import Conflict, InvalidInput, NotFound
from codejury.projects.rubric import DEFAULT_RUBRIC, SLUG, validate_rubric

DEFAULT_GUIDELINES = """# Guidelines

Compare the responses as an experienced reviewer would in a code review.

1. **Correctness first.** Code that is wrong on some input is worse than code that is right but plain.
   The execution evidence helps, but tests can miss things: read the code.
2. **Then helpfulness, readability and security**, as the rubric describes.
3. **Flag errors line by line**: select the lines, pick a category and a severity, and say why.
4. Choose *tie* only when you cannot prefer one response after careful reading.
5. Skip an item you are not qualified to judge; skipping is never held against you.
"""

MODES = ("pairwise", "ranking")
EDITABLE = (
    "name",
    "mode",
    "k",
    "overlap",
    "gold_rate",
    "hide_evidence",
    "content_warnings",
    "sensitive_tags",
    "sensitive",
    "purpose",
    "contact",
    "qualification_required",
    "qualification_size",
    "pass_mark",
    "max_attempts",
    "status",
)


def _check_settings(values: dict[str, Any]) -> list[str]:
    problems = []
    if "mode" in values and values["mode"] not in MODES:
        problems.append(f"mode: must be one of {', '.join(MODES)}, not {values['mode']!r}")
    if "k" in values and not 2 <= int(values["k"]) <= 8:
        problems.append("k: candidates per item must be between 2 and 8")
    if "overlap" in values and not 1 <= int(values["overlap"]) <= 50:
        problems.append("overlap: must be between 1 and 50")
    if "gold_rate" in values and not 0.0 <= float(values["gold_rate"]) <= 0.5:
        problems.append("gold_rate: must be between 0 and 0.5")
    if "pass_mark" in values and not 0.0 < float(values["pass_mark"]) <= 1.0:
        problems.append("pass_mark: must be in (0, 1]")
    return problems


def create_project(
    session: Session,
    slug: str,
    *,
    name: str | None = None,
    guidelines: str | None = None,
    rubric: list[dict[str, Any]] | None = None,
    mode: str = "pairwise",
    k: int | None = None,
    overlap: int = 3,
    gold_rate: float = 0.1,
    actor: User | None = None,
    **extra: Any,
) -> Project:
    """A new project with guideline and rubric version 1 and the default pay policy."""
    if not SLUG.match(slug):
        raise InvalidInput(f"project slug {slug!r}: use 1-63 lowercase letters, digits and dashes")
    settings = {
        "mode": mode,
        "k": k or (2 if mode == "pairwise" else 3),
        "overlap": overlap,
        "gold_rate": gold_rate,
        **extra,
    }
    if unknown := sorted(set(extra) - set(EDITABLE)):
        raise InvalidInput(f"unknown project settings: {', '.join(unknown)}")
    if problems := _check_settings(settings):
        raise InvalidInput(f"project {slug!r}: invalid settings", problems)
    if session.scalar(select(Project.id).where(Project.slug == slug)) is not None:
        raise Conflict(f"project {slug!r} already exists")
    criteria = validate_rubric(rubric if rubric is not None else DEFAULT_RUBRIC)
    project = Project(slug=slug, name=name or slug, **settings)
    session.add(project)
    session.flush()
    by = actor.id if actor else None
    session.add(
        GuidelineVersion(
            project_id=project.id, version=1, body=guidelines or DEFAULT_GUIDELINES, created_by=by
        )
    )
    session.add(RubricVersion(project_id=project.id, version=1, criteria=criteria, created_by=by))
    session.add(
        PayRate(
            project_id=project.id,
            currency="USD",
            piece_rate=Decimal("0.50"),
            hourly_floor=Decimal("12.00"),
            effective_from=utcnow(),
            created_by=by,
        )
    )
    audit(
        session,
        actor,
        "project.create",
        "project",
        project.id,
        None,
        _snapshot(project),
        project_id=project.id,
    )
    session.commit()
    return project


def get_project(session: Session, slug: str) -> Project:
    project = session.scalar(select(Project).where(Project.slug == slug))
    if project is None:
        raise NotFound(f"There is no project {slug!r}.")
    return project


def list_projects(session: Session) -> list[Project]:
    return list(session.scalars(select(Project).order_by(Project.slug)))


def current_guidelines(session: Session, project: Project) -> GuidelineVersion:
    return _latest(session, GuidelineVersion, project)


def current_rubric(session: Session, project: Project) -> RubricVersion:
    return _latest(session, RubricVersion, project)


def _latest(session: Session, model: Any, project: Project) -> Any:
    row = session.scalar(
        select(model).where(model.project_id == project.id).order_by(model.version.desc()).limit(1)
    )
    if row is None:
        raise NotFound(f"project {project.slug!r} has no {model.__tablename__}")
    return row


def _next_version(session: Session, model: Any, project: Project) -> int:
    return (
        int(
            session.scalar(
                select(func.coalesce(func.max(model.version), 0)).where(
                    model.project_id == project.id
                )
            )
            or 0
        )
        + 1
    )


def update_guidelines(
    session: Session, project: Project, body: str, *, actor: User | None = None
) -> GuidelineVersion:
    """A new guideline version, unless the text is unchanged."""
    if not body.strip():
        raise InvalidInput("guidelines: the text is empty")
    current = current_guidelines(session, project)
    if current.body == body:
        return current
    row: GuidelineVersion = _new_version(
        session, project, current, actor, "project.guidelines", body=body
    )
    return row


def update_rubric(
    session: Session, project: Project, criteria: list[dict[str, Any]], *, actor: User | None = None
) -> RubricVersion:
    """A new rubric version, unless the criteria are unchanged."""
    criteria = validate_rubric(criteria)
    current = current_rubric(session, project)
    if current.criteria == criteria:
        return current
    row: RubricVersion = _new_version(
        session, project, current, actor, "project.rubric", criteria=criteria
    )
    return row


def _new_version(
    session: Session, project: Project, current: Any, actor: User | None, action: str, **fields: Any
) -> Any:
    """Add the next version after ``current`` (same model) with ``fields``; audit the change; commit."""
    model = type(current)
    row = model(
        project_id=project.id,
        version=_next_version(session, model, project),
        created_by=actor.id if actor else None,
        **fields,
    )
    session.add(row)
    session.flush()
    before = {"version": current.version, **{k: getattr(current, k) for k in fields if k != "body"}}
    after = {"version": row.version, **{k: v for k, v in fields.items() if k != "body"}}
    audit(session, actor, action, "project", project.id, before, after, project_id=project.id)
    session.commit()
    return row


def update_settings(
    session: Session, project: Project, *, actor: User | None = None, **changes: Any
) -> Project:
    if unknown := sorted(set(changes) - set(EDITABLE)):
        raise InvalidInput(f"unknown project settings: {', '.join(unknown)}")
    if problems := _check_settings(changes):
        raise InvalidInput(f"project {project.slug!r}: invalid settings", problems)
    if changes.get("status") == "published":
        _check_publishable(project, changes)
    before = _snapshot(project)
    for key, value in changes.items():
        setattr(project, key, value)
    after = _snapshot(project)
    if before != after:
        audit(
            session,
            actor,
            "project.settings",
            "project",
            project.id,
            {k: v for k, v in before.items() if before[k] != after[k]},
            {k: v for k, v in after.items() if before[k] != after[k]},
            project_id=project.id,
        )
    session.commit()
    return project


PURPOSE_FIELDS = ("uses", "users", "retention", "publishable")


def _check_publishable(project: Project, changes: dict[str, Any]) -> None:
    purpose = changes.get("purpose", project.purpose) or {}
    contact = changes.get("contact", project.contact)
    missing = [f"purpose.{f}" for f in PURPOSE_FIELDS if purpose.get(f) in (None, "")]
    if not contact:
        missing.append("contact")
    if missing:
        raise InvalidInput(
            f"project {project.slug!r} cannot be published without a purpose card and a contact channel",
            [f"{m}: required to publish" for m in missing],
        )


def _snapshot(project: Project) -> dict[str, Any]:
    return {key: getattr(project, key) for key in EDITABLE}
