"""The one interface every generation backend implements, and the plain data it speaks."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol

from codejury.errors import CodeJuryError

Mode = Literal["chat", "completion"]
Prompt = str | list[dict[str, str]]


class GenerationFailed(CodeJuryError):
    """A backend gave up on a request. ``fatal`` means no later request can succeed either
    (wrong key, unknown model), so a run should stop instead of trying every task."""

    def __init__(self, message: str, *, fatal: bool = False) -> None:
        super().__init__(message)
        self.fatal = fatal


@dataclass(frozen=True)
class GenerationRequest:
    """One sample of one prompt. ``sample_index`` makes ``-n K`` give K distinct samples and is sent
    as the sampling seed where the backend supports one."""

    model: str
    prompt: Prompt
    mode: Mode = "completion"
    temperature: float = 0.8
    max_tokens: int = 512
    top_p: float = 1.0
    stop: tuple[str, ...] = ()
    sample_index: int = 0

    def params(self) -> dict[str, Any]:
        """The sampling parameters, as recorded with each candidate."""
        return {
            "mode": self.mode,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "top_p": self.top_p,
            "stop": list(self.stop),
        }

    def messages(self) -> list[dict[str, str]]:
        """The prompt as chat messages (a text prompt becomes one user message)."""
        if isinstance(self.prompt, str):
            return [{"role": "user", "content": self.prompt}]
        return [dict(m) for m in self.prompt]

    def text(self) -> str:
        """The prompt as plain text (chat messages are joined by blank lines)."""
        if isinstance(self.prompt, str):
            return self.prompt
        return "\n\n".join(m.get("content", "") for m in self.prompt)


@dataclass(frozen=True)
class GenerationResult:
    text: str
    model: str
    params: dict[str, Any] = field(default_factory=dict)
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    seconds: float = 0.0
    finish_reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GenerationResult:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


class Backend(Protocol):
    """Turns one request into one response. Implementations must be safe to call from
    ``max_concurrency`` threads at once."""

    name: str
    max_concurrency: int

    def generate(self, request: GenerationRequest) -> GenerationResult: ...

    def close(self) -> None: ...


def cache_key(backend: str, request: GenerationRequest) -> str:
    """sha256 of (backend, model, parameters, prompt, sample index): equal keys, equal responses."""
    payload = {
        "backend": backend,
        "model": request.model,
        "params": request.params(),
        "prompt": request.prompt,
        "sample_index": request.sample_index,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def cut_at_stop(text: str, stop: tuple[str, ...]) -> str:
    """The text up to the first stop sequence (servers do this too; local backends rely on it)."""
    cut = len(text)
    for s in stop:
        at = text.find(s)
        if s and at != -1:
            cut = min(cut, at)
    return text[:cut]
