"""The task import format (documented in docs/task-format.md), validated with pydantic."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

KINDS = (
    "completion",
    "debugging",
    "explanation",
    "review",
    "refactoring",
    "test_writing",
    "translation",
    "agentic",
)


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["system", "user", "assistant", "tool"]
    content: str


class TestsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1)
    entry_point: str | None = None
    runner: str | None = None


class CandidateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1, max_length=200)
    content: str = Field(min_length=1)
    meta: dict[str, Any] = Field(default_factory=dict)
    structured: dict[str, Any] | None = None
    synthetic: bool = False
    execution: dict[str, Any] | None = None


class TaskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    external_id: str = Field(min_length=1, max_length=200)
    prompt: str | list[Message]
    kind: str = Field(pattern=r"^[a-z][a-z_]{1,39}$")
    language: str = Field(min_length=1, max_length=40)
    tags: dict[str, str | int | float | bool | list[str]] = Field(default_factory=dict)
    tests: TestsIn | None = None
    reference: str | None = None
    candidates: list[CandidateIn] = Field(default_factory=list)

    @field_validator("language")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.strip().lower()

    @field_validator("prompt")
    @classmethod
    def _non_empty(cls, value: str | list[Message]) -> str | list[Message]:
        if not value:
            raise ValueError("the prompt is empty")
        return value

    def prompt_json(self) -> Any:
        return (
            self.prompt if isinstance(self.prompt, str) else [m.model_dump() for m in self.prompt]
        )

    def task_fields(self) -> dict[str, Any]:
        """The stored task columns (candidates are separate rows)."""
        return {
            "external_id": self.external_id,
            "prompt": self.prompt_json(),
            "kind": self.kind,
            "language": self.language,
            "tags": dict(self.tags),
            "tests": self.tests.model_dump() if self.tests else None,
            "reference": self.reference,
        }


def task_hash(fields: dict[str, Any]) -> str:
    """Content hash of a task's stored fields: a changed task under the same id is detected by it."""
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
