"""Projects: list, read, create, change settings, guidelines and rubric, members."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from codejury.accounts import (
    add_member,
    audit,
    can_manage,
    projects_of,
    require_manager,
    require_member,
    require_user_by_email,
)
from codejury.db.models import Membership, Project, User
from codejury.projects import (
    create_project,
    current_guidelines,
    current_rubric,
    get_project,
    list_projects,
    update_guidelines,
    update_rubric,
    update_settings,
)
from codejury.web.api.schemas import (
    GuidelinesUpdate,
    ProjectCreate,
    ProjectPublic,
    ProjectUpdate,
    RubricUpdate,
)
from codejury.web.deps import CurrentUser, DbSession, Staff

router = APIRouter(tags=["projects"])


def project_for(session: DbSession, user: User, slug: str, *, manage: bool = False) -> Project:
    """The project if the caller may see it (members and staff) or manage it; others get 403."""
    project = get_project(session, slug)
    if manage:
        require_manager(session, user, project)
    else:
        require_member(session, user, project)
    return project


@router.get("/projects", response_model=list[ProjectPublic])
def list_(session: DbSession, user: CurrentUser) -> list[Project]:
    if user.role in ("admin", "manager"):
        return [
            p
            for p in list_projects(session)
            if can_manage(session, user, p) or user.role == "admin"
        ]
    return projects_of(session, user)


@router.post("/projects", response_model=ProjectPublic, status_code=201)
def create(body: ProjectCreate, session: DbSession, user: Staff) -> Project:
    data = body.model_dump(exclude_none=True)
    slug = data.pop("slug")
    project = create_project(session, slug, actor=user, **data)
    if user.role == "manager":
        add_creator(session, project, user)
    return project


def add_creator(session: DbSession, project: Project, user: User) -> None:
    """A manager who creates a project belongs to it (they could not manage it otherwise)."""
    session.add(Membership(project_id=project.id, user_id=user.id))
    audit(
        session,
        user,
        "project.member_add",
        "user",
        user.id,
        None,
        {"project": project.slug},
        project_id=project.id,
    )
    session.commit()


@router.get("/projects/{slug}")
def read(slug: str, session: DbSession, user: CurrentUser) -> dict[str, Any]:
    project = project_for(session, user, slug)
    g, r = current_guidelines(session, project), current_rubric(session, project)
    return {
        **ProjectPublic.model_validate(project).model_dump(),
        "guidelines": {"version": g.version, "body": g.body},
        "rubric": {"version": r.version, "criteria": r.criteria},
    }


@router.patch("/projects/{slug}", response_model=ProjectPublic)
def change(slug: str, body: ProjectUpdate, session: DbSession, user: CurrentUser) -> Project:
    project = project_for(session, user, slug, manage=True)
    return update_settings(session, project, actor=user, **body.model_dump(exclude_none=True))


@router.put("/projects/{slug}/guidelines")
def guidelines(
    slug: str, body: GuidelinesUpdate, session: DbSession, user: CurrentUser
) -> dict[str, Any]:
    project = project_for(session, user, slug, manage=True)
    row = update_guidelines(session, project, body.body, actor=user)
    return {"version": row.version}


@router.put("/projects/{slug}/rubric")
def rubric(slug: str, body: RubricUpdate, session: DbSession, user: CurrentUser) -> dict[str, Any]:
    project = project_for(session, user, slug, manage=True)
    row = update_rubric(session, project, body.criteria, actor=user)
    return {"version": row.version, "criteria": row.criteria}


class MemberIn(BaseModel):
    email: str


@router.post("/projects/{slug}/members", status_code=201)
def member(slug: str, body: MemberIn, session: DbSession, user: CurrentUser) -> dict[str, Any]:
    project = project_for(session, user, slug, manage=True)
    target = require_user_by_email(session, body.email)
    add_member(session, project, target, user)
    return {"project": project.slug, "user_id": target.id}
