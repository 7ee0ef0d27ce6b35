"""Rubric criteria: validation and the code defaults."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from codejury.errors import InvalidInput


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    description: str = ""
    min: int = 1
    max: int = 5
    labels: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _scale(self) -> Criterion:
        if not self.min < self.max <= self.min + 10:
            raise ValueError(f"scale {self.min}..{self.max} must have 2 to 11 points")
        return self


_SCALE = {"1": "very poor", "2": "poor", "3": "acceptable", "4": "good", "5": "excellent"}

DEFAULT_RUBRIC: list[dict[str, Any]] = [
    {
        "name": "correctness",
        "description": "Does the code do what the prompt asks, on every input the tests and the prompt imply?",
        "labels": _SCALE,
    },
    {
        "name": "helpfulness",
        "description": "Would this answer move the person asking forward: complete, on point, well explained?",
        "labels": _SCALE,
    },
    {
        "name": "readability",
        "description": "Clear names, sensible structure, idiomatic for the language, no needless complexity.",
        "labels": _SCALE,
    },
    {
        "name": "security",
        "description": "Free of injection, unsafe deserialisation, secrets, unsafe defaults and similar risks.",
        "labels": _SCALE,
    },
]


def validate_rubric(criteria: Any, where: str = "rubric") -> list[dict[str, Any]]:
    """Check a rubric and return it normalised; every problem names its criterion and field."""
    if not isinstance(criteria, list) or not criteria:
        raise InvalidInput(f"{where}: a rubric is a non-empty list of criteria")
    problems: list[str] = []
    out: list[dict[str, Any]] = []
    for i, raw in enumerate(criteria):
        try:
            out.append(Criterion.model_validate(raw).model_dump())
        except ValidationError as exc:
            for err in exc.errors():
                field = ".".join(str(p) for p in err["loc"]) or "criterion"
                problems.append(f"{where}[{i}]: {field}: {err['msg']}")
    names = [c["name"] for c in out]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"{where}: criterion {dup!r} appears more than once")
    if problems:
        raise InvalidInput("invalid rubric", problems)
    return out


SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
