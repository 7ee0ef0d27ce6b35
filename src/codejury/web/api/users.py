"""People: the caller, users (staff), API tokens, invitations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter

from codejury.accounts import (
    create_invite,
    create_user,
    deactivate,
    get_token,
    get_user,
    issue_token,
    link_path,
    list_tokens,
    list_users,
    reactivate,
    require_grant,
    require_user_admin,
    revoke_token,
    update_user,
)
from codejury.db.models import ApiToken, User
from codejury.errors import NotFound
from codejury.web.api.schemas import TokenCreate, TokenPublic, UserCreate, UserPublic, UserUpdate
from codejury.web.deps import CurrentUser, DbSession, Staff

router = APIRouter(tags=["users"])


@router.get("/me", response_model=UserPublic)
def me(user: CurrentUser) -> User:
    return user


@router.get("/users", response_model=list[UserPublic])
def users(session: DbSession, _: Staff, role: str | None = None) -> list[User]:
    return list_users(session, role=role)


@router.post("/users", status_code=201)
def create(body: UserCreate, session: DbSession, actor: Staff) -> dict[str, Any]:
    """Create a user; without a password the answer carries a one-time invitation link to hand over."""
    require_grant(actor, body.role)
    user = create_user(
        session,
        body.email,
        body.name,
        body.role,
        password=body.password,
        skills=body.skills,
        timezone=body.timezone,
        actor=actor,
    )
    out: dict[str, Any] = {"user": UserPublic.model_validate(user).model_dump()}
    if body.password is None:
        out["invite"] = link_path("invite", create_invite(session, user, actor))
    return out


@router.patch("/users/{user_id}", response_model=UserPublic)
def change(user_id: int, body: UserUpdate, session: DbSession, actor: Staff) -> User:
    target = get_user(session, user_id)
    require_user_admin(actor, target)
    if body.role is not None:
        require_grant(actor, body.role)
    if body.active is False:
        deactivate(session, target, actor)
    elif body.active is True and not target.active:
        reactivate(session, target, actor)
    fields = body.model_dump(exclude_none=True, exclude={"active"})
    return update_user(session, target, actor=actor, **fields) if fields else target


@router.get("/me/tokens", response_model=list[TokenPublic])
def tokens(session: DbSession, user: CurrentUser) -> list[ApiToken]:
    return list_tokens(session, user)


@router.post("/me/tokens", status_code=201)
def new_token(body: TokenCreate, session: DbSession, user: CurrentUser) -> dict[str, Any]:
    """The token is shown once; only its hash is stored."""
    token, plaintext = issue_token(
        session, user, body.name, expires_in=timedelta(days=body.days), actor=user
    )
    return {"token": plaintext, **TokenPublic.model_validate(token).model_dump(mode="json")}


@router.delete("/me/tokens/{token_id}", status_code=204)
def revoke(token_id: int, session: DbSession, user: CurrentUser) -> None:
    token = get_token(session, token_id)
    if token.user_id != user.id:
        raise NotFound(f"no token {token_id}")
    revoke_token(session, token, actor=user)
