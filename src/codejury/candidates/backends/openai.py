"""An OpenAI-compatible HTTP server (OpenAI, vLLM, llama.cpp, TGI, ...): chat and plain completions.

The API key comes from the environment (``CODEJURY_OPENAI_API_KEY`` or ``OPENAI_API_KEY``) or
from the file named by ``Settings.openai_api_key_file``; it is sent only in the ``Authorization``
header and never logged, stored or shown (``repr`` and error messages redact it).

Requests that hit 429, a 5xx, a timeout or a dropped connection are retried with exponential
backoff and jitter; a ``Retry-After`` header wins over the computed delay.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from codejury.candidates.backends.base import GenerationFailed, GenerationRequest, GenerationResult
from codejury.config import Settings
from codejury.db.base import utcnow

logger = logging.getLogger(__name__)

KEY_VARIABLES = ("CODEJURY_OPENAI_API_KEY", "OPENAI_API_KEY")
RETRY_STATUSES = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
FATAL_STATUSES = frozenset({401, 403, 404})
MAX_RETRY_AFTER_S = 300.0


def resolve_api_key(settings: Settings | None = None) -> str | None:
    """The key from the environment, else from ``openai_api_key_file``; None when there is none."""
    for name in KEY_VARIABLES:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    if settings is not None and settings.openai_api_key_file is not None:
        return settings.openai_api_key_file.read_text().strip() or None
    return None


class OpenAIBackend:
    name = "openai"

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout_s: float = 120.0,
        max_retries: int = 6,
        backoff_s: float = 1.0,
        max_backoff_s: float = 60.0,
        max_concurrency: int = 4,
        send_seed: bool = True,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.max_concurrency = max(1, max_concurrency)
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.send_seed = send_seed
        self.retries = 0  # retried attempts so far, across threads (for reports and tests)
        self._key = api_key
        self._sleep = sleep
        self._rng = random.Random()
        self._lock = threading.Lock()
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(timeout_s),
            transport=transport,
            limits=httpx.Limits(max_connections=self.max_concurrency),
        )

    def __repr__(self) -> str:
        key = "set" if self._key else "none"
        return f"OpenAIBackend(base_url={self.base_url!r}, api_key=<{key}>)"

    def close(self) -> None:
        self._client.close()

    def generate(self, request: GenerationRequest) -> GenerationResult:
        path, body = self._payload(request)
        started = time.monotonic()
        data = self._post_with_retries(path, body)
        return self._result(request, data, time.monotonic() - started)

    def _payload(self, request: GenerationRequest) -> tuple[str, dict[str, Any]]:
        body: dict[str, Any] = {
            "model": request.model,
            "temperature": request.temperature,
            "top_p": request.top_p,
            "max_tokens": request.max_tokens,
            "n": 1,
        }
        if request.stop:
            body["stop"] = list(request.stop)
        if self.send_seed:
            body["seed"] = request.sample_index
        if request.mode == "chat":
            return "/chat/completions", {**body, "messages": request.messages()}
        return "/completions", {**body, "prompt": request.text()}

    def _post_with_retries(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        attempt = 0
        while True:
            try:
                response = self._client.post(path, json=body)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                problem, wait = f"{type(exc).__name__}", None
            else:
                if response.status_code < 300:
                    return self._json(response)
                if response.status_code not in RETRY_STATUSES:
                    raise self._failure(response)
                problem, wait = f"HTTP {response.status_code}", retry_after(response)
            if attempt >= self.max_retries:
                raise GenerationFailed(f"{path}: gave up after {attempt + 1} attempts ({problem})")
            delay = wait if wait is not None else self._backoff(attempt)
            logger.warning(
                "generation request retried",
                extra={"path": path, "problem": problem, "delay_s": round(delay, 2)},
            )
            with self._lock:
                self.retries += 1
            attempt += 1
            self._sleep(delay)

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.max_backoff_s, self.backoff_s * (2**attempt))
        with self._lock:
            return self._rng.uniform(ceiling / 2, ceiling)

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:
            raise GenerationFailed(f"{response.request.url.path}: response is not JSON")
        if not isinstance(data, dict) or not data.get("choices"):
            raise GenerationFailed(f"{response.request.url.path}: response has no choices")
        return data

    def _failure(self, response: httpx.Response) -> GenerationFailed:
        detail = self._redact(response.text[:500])
        return GenerationFailed(
            f"{response.request.url.path}: HTTP {response.status_code}: {detail}",
            fatal=response.status_code in FATAL_STATUSES,
        )

    def _redact(self, text: str) -> str:
        return text.replace(self._key, "***") if self._key else text

    def _result(
        self, request: GenerationRequest, data: dict[str, Any], seconds: float
    ) -> GenerationResult:
        choice = data["choices"][0]
        if request.mode == "chat":
            text = (choice.get("message") or {}).get("content") or ""
        else:
            text = choice.get("text") or ""
        usage = data.get("usage") or {}
        return GenerationResult(
            text=text,
            model=str(data.get("model") or request.model),
            params={**request.params(), "seed": request.sample_index if self.send_seed else None},
            prompt_tokens=usage.get("prompt_tokens"),
            completion_tokens=usage.get("completion_tokens"),
            seconds=round(seconds, 3),
            finish_reason=choice.get("finish_reason"),
        )


def retry_after(response: httpx.Response) -> float | None:
    """Seconds asked for by a ``Retry-After`` header (delta seconds or an HTTP date), capped."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(value) - utcnow()).total_seconds()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)
