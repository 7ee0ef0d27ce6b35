"""Request and response bodies of the REST API (``XBase / XCreate / XUpdate / XPublic``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ProjectBase(BaseModel):
    name: str | None = None
    mode: str = "pairwise"
    k: int | None = None
    overlap: int = 3
    gold_rate: float = 0.1


class ProjectCreate(ProjectBase):
    model_config = ConfigDict(extra="forbid")

    slug: str
    guidelines: str | None = None
    rubric: list[dict[str, Any]] | None = None


class ProjectUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    mode: str | None = None
    k: int | None = None
    overlap: int | None = None
    gold_rate: float | None = None
    hide_evidence: bool | None = None
    content_warnings: list[str] | None = None
    sensitive_tags: list[str] | None = None
    sensitive: bool | None = None
    purpose: dict[str, Any] | None = None
    contact: str | None = None
    qualification_required: bool | None = None
    qualification_size: int | None = None
    pass_mark: float | None = None
    max_attempts: int | None = None
    status: str | None = None


class ProjectPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    slug: str
    name: str
    mode: str
    k: int
    overlap: int
    gold_rate: float
    hide_evidence: bool
    status: str
    content_warnings: list[str]
    purpose: dict[str, Any]
    contact: str | None


class GuidelinesUpdate(BaseModel):
    body: str = Field(min_length=1)


class RubricUpdate(BaseModel):
    criteria: list[dict[str, Any]]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str
    name: str
    role: str = "annotator"
    skills: list[str] = Field(default_factory=list)
    timezone: str = "UTC"
    password: str | None = None


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: str | None = None
    skills: list[str] | None = None
    timezone: str | None = None
    active: bool | None = None


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    role: str
    active: bool
    pseudonym: str
    skills: list[str]
    timezone: str


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    days: int = Field(90, ge=1, le=3650)


class TokenPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
