"""Wellbeing and transparency over the API: the caller's dashboard, break status, opt-ins and
impact; the register of automated decisions; a project's pay overview and transparency report."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from codejury.web.api.projects import project_for
from codejury.web.deps import CurrentUser, DbSession
from codejury.wellbeing.dashboard import annotator_dashboard
from codejury.wellbeing.impact import impact_of
from codejury.wellbeing.plain import jsonable
from codejury.wellbeing.project_pay import pay_overview, project_transparency
from codejury.wellbeing.register import decision_register
from codejury.wellbeing.store import break_due, set_opt_ins

router = APIRouter(tags=["wellbeing"])


class OptInsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    labels: list[str] = Field(default_factory=list, max_length=50)


def _dict(value: Any) -> dict[str, Any]:
    out: dict[str, Any] = jsonable(value)
    return out


@router.get("/me/dashboard")
def dashboard(session: DbSession, user: CurrentUser) -> dict[str, Any]:
    """Everything the ``/me`` page shows: earnings, hours and caps, gold, reviews, purpose cards."""
    return _dict(annotator_dashboard(session, user))


@router.get("/me/break")
def break_status(session: DbSession, user: CurrentUser) -> dict[str, Any]:
    """Whether a break is due after continuous work (the judging page polls this)."""
    return _dict(break_due(session, user))


@router.put("/me/sensitive-opt-ins")
def opt_ins(body: OptInsIn, session: DbSession, user: CurrentUser) -> dict[str, Any]:
    """Replace the caller's sensitive-content opt-ins (labels they accept to see)."""
    person = set_opt_ins(session, user, body.labels)
    return {"opt_ins": list(person.sensitive_opt_ins or [])}


@router.get("/me/impact")
def impact(session: DbSession, user: CurrentUser) -> dict[str, Any]:
    """Exports that used the caller's judgments and the training runs on them (aggregates only)."""
    return {"exports": jsonable(impact_of(session, user))}


@router.get("/decisions")
def decisions(user: CurrentUser) -> dict[str, Any]:
    """The register of automated decisions and flags."""
    return {"decisions": jsonable(decision_register())}


@router.get("/projects/{slug}/transparency")
def transparency(slug: str, session: DbSession, user: CurrentUser) -> dict[str, Any]:
    project = project_for(session, user, slug, manage=True)
    return _dict(project_transparency(session, project))


@router.get("/projects/{slug}/pay/overview")
def overview(slug: str, session: DbSession, user: CurrentUser) -> dict[str, Any]:
    """The manager's pay page as JSON."""
    project = project_for(session, user, slug, manage=True)
    return {"project": project.slug, **_dict(pay_overview(session, project))}
