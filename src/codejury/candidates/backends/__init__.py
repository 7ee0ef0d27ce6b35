"""Generation backends behind one interface (``Backend``): an OpenAI-compatible HTTP server,
or a local Hugging Face model. ``make_backend`` picks one by name."""

from __future__ import annotations

from codejury.candidates.backends.base import (
    Backend,
    GenerationFailed,
    GenerationRequest,
    GenerationResult,
    Mode,
    cache_key,
    cut_at_stop,
)
from codejury.config import Settings
from codejury.errors import InvalidInput

BACKENDS = ("openai", "transformers")


def make_backend(
    kind: str,
    model: str,
    settings: Settings,
    *,
    base_url: str | None = None,
    timeout_s: float = 120.0,
) -> Backend:
    """The backend called ``kind``, configured from ``settings`` (``base_url`` wins)."""
    if kind == "openai":
        from codejury.candidates.backends.openai import OpenAIBackend, resolve_api_key

        return OpenAIBackend(
            base_url or settings.openai_base_url,
            resolve_api_key(settings),
            timeout_s=timeout_s,
            max_concurrency=settings.generation_concurrency,
        )
    if kind == "transformers":
        from codejury.candidates.backends.huggingface import TransformersBackend

        return TransformersBackend(model)
    raise InvalidInput(
        "unknown backend", [f"--backend: {kind!r} is not one of {', '.join(BACKENDS)}"]
    )


__all__ = [
    "BACKENDS",
    "Backend",
    "GenerationFailed",
    "GenerationRequest",
    "GenerationResult",
    "Mode",
    "cache_key",
    "cut_at_stop",
    "make_backend",
]
