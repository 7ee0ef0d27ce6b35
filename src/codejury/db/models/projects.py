"""Projects, their versioned guidelines and rubric, tasks and candidates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from codejury.db.base import Base, utcnow


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(20), default="pairwise")  # pairwise | ranking
    k: Mapped[int] = mapped_column(default=2)  # candidates per item
    overlap: Mapped[int] = mapped_column(default=3)
    gold_rate: Mapped[float] = mapped_column(default=0.1)
    hide_evidence: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(
        String(20), default="draft"
    )  # draft | published | paused | closed
    content_warnings: Mapped[list[Any]] = mapped_column(default=list)
    sensitive_tags: Mapped[list[Any]] = mapped_column(default=list)
    sensitive: Mapped[bool] = mapped_column(default=False)
    purpose: Mapped[dict[str, Any]] = mapped_column(default=dict)
    contact: Mapped[str | None] = mapped_column(String(300))
    qualification_required: Mapped[bool] = mapped_column(default=False)
    qualification_size: Mapped[int] = mapped_column(default=10)
    pass_mark: Mapped[float] = mapped_column(default=0.8)
    max_attempts: Mapped[int] = mapped_column(default=2)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GuidelineVersion(Base):
    __tablename__ = "guideline_versions"
    __table_args__ = (UniqueConstraint("project_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RubricVersion(Base):
    """``criteria``: a list of {name, description, min, max, labels}."""

    __tablename__ = "rubric_versions"
    __table_args__ = (UniqueConstraint("project_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    criteria: Mapped[list[Any]]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (UniqueConstraint("project_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    external_id: Mapped[str] = mapped_column(String(200))
    prompt: Mapped[Any] = mapped_column(JSON)  # text or chat messages
    kind: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(40))
    tags: Mapped[dict[str, Any]] = mapped_column(default=dict)
    tests: Mapped[dict[str, Any] | None]  # {code, entry_point, runner}
    reference: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Candidate(Base):
    __tablename__ = "candidates"
    __table_args__ = (UniqueConstraint("task_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(200))  # model name, "reference", "mutant", "import"
    source_meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    content: Mapped[str] = mapped_column(Text)
    structured: Mapped[dict[str, Any] | None]  # chat messages or an agent trajectory
    content_hash: Mapped[str] = mapped_column(String(64))
    synthetic: Mapped[bool] = mapped_column(default=False)
    exec_status: Mapped[str | None] = mapped_column(String(20))
    exec_result: Mapped[dict[str, Any] | None]
    exec_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GenerationCache(Base):
    """Responses of generation backends, keyed by (model, parameters, prompt, sample index)."""

    __tablename__ = "generation_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    response: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


Index("ix_tasks_project_language", Task.project_id, Task.language)
