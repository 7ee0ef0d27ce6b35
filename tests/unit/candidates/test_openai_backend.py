"""The OpenAI-compatible backend against a real HTTP server on a free local port."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from codejury.candidates.backends import GenerationFailed, GenerationRequest, cache_key
from codejury.candidates.backends.openai import OpenAIBackend, resolve_api_key
from codejury.candidates.backends.stub_server import StubServer
from codejury.config import Settings

SECRET = "sk-test-do-not-leak-1234"


def request(index: int = 0, mode: str = "completion") -> GenerationRequest:
    return GenerationRequest(
        model="stub-coder", prompt="def add(a, b):\n", mode=mode,  # type: ignore[arg-type]
        temperature=0.7, max_tokens=32, stop=("\ndef ",), sample_index=index,
    )  # fmt: skip


def test_retries_429_500_and_timeouts_then_succeeds(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    waits: list[float] = []
    with StubServer(faults=["429", "500", "slow"], retry_after="7", slow_s=1.0) as server:
        backend = OpenAIBackend(
            server.base_url, SECRET, timeout_s=0.3, backoff_s=0.01, sleep=waits.append
        )
        result = backend.generate(request(index=3))
        backend.close()
    assert server.requests == 4
    assert backend.retries == 3
    assert waits[0] == 7.0  # Retry-After honoured
    assert all(0 < w <= 0.04 for w in waits[1:])  # exponential backoff with jitter
    assert result.text == "    return None  # sample 3\n"
    assert result.model == "stub-coder"
    assert result.completion_tokens and result.prompt_tokens
    assert result.params["seed"] == 3 and result.params["temperature"] == 0.7
    body = server.bodies[-1]
    assert body["prompt"] == "def add(a, b):\n" and body["seed"] == 3 and body["stop"] == ["\ndef "]
    assert server.headers[-1]["Authorization"] == f"Bearer {SECRET}"
    assert SECRET not in caplog.text and SECRET not in repr(backend)


def test_chat_mode_sends_messages() -> None:
    with StubServer() as server:
        backend = OpenAIBackend(server.base_url)
        result = backend.generate(request(index=1, mode="chat"))
        backend.close()
    assert server.bodies[0]["messages"] == [{"role": "user", "content": "def add(a, b):\n"}]
    assert "Authorization" not in server.headers[0]
    assert result.text.endswith("sample 1\n")


def test_gives_up_after_the_retry_budget() -> None:
    with StubServer(faults=["500"] * 5) as server:
        backend = OpenAIBackend(server.base_url, max_retries=2, sleep=lambda s: None)
        with pytest.raises(GenerationFailed, match="gave up after 3 attempts"):
            backend.generate(request())
        backend.close()
    assert server.requests == 3


def test_client_errors_fail_at_once_and_do_not_echo_the_key() -> None:
    with StubServer(faults=["400"], responder=lambda body: SECRET) as server:
        backend = OpenAIBackend(server.base_url, SECRET, sleep=lambda s: None)
        with pytest.raises(GenerationFailed) as caught:
            backend.generate(request())
        backend.close()
    assert server.requests == 1
    assert "HTTP 400" in str(caught.value) and not caught.value.fatal
    assert SECRET not in str(caught.value)


def test_unknown_route_is_fatal() -> None:
    with StubServer() as server:
        backend = OpenAIBackend(server.base_url.removesuffix("/v1") + "/nowhere")
        with pytest.raises(GenerationFailed) as caught:
            backend.generate(request())
        backend.close()
    assert caught.value.fatal


def test_api_key_comes_from_the_environment_or_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("CODEJURY_OPENAI_API_KEY", raising=False)
    key_file = tmp_path / "key"
    key_file.write_text("from-file\n")
    settings = Settings(openai_api_key_file=key_file)
    assert resolve_api_key(Settings()) is None
    assert resolve_api_key(settings) == "from-file"
    monkeypatch.setenv("OPENAI_API_KEY", "from-openai-env")
    assert resolve_api_key(settings) == "from-openai-env"
    monkeypatch.setenv("CODEJURY_OPENAI_API_KEY", "from-codejury-env")
    assert resolve_api_key(settings) == "from-codejury-env"


def test_cache_key_depends_on_everything_that_changes_the_answer() -> None:
    base = cache_key("openai", request(0))
    assert base == cache_key("openai", request(0))
    assert base != cache_key("openai", request(1))
    assert base != cache_key("openai", request(0, mode="chat"))
    assert base != cache_key("transformers", request(0))
