"""Local generation with a tiny model built here from scratch (nothing is downloaded)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from codejury.candidates.backends import GenerationRequest
from codejury.candidates.tiny import TinyModelSpec, build_tiny_causal_lm, stdlib_corpus

pytest.importorskip("transformers")

from codejury.candidates.backends.huggingface import TransformersBackend


@pytest.fixture(scope="module")
def offline() -> Iterator[None]:
    before = os.environ.get("HF_HUB_OFFLINE")
    os.environ["HF_HUB_OFFLINE"] = "1"
    yield
    if before is None:
        os.environ.pop("HF_HUB_OFFLINE", None)
    else:
        os.environ["HF_HUB_OFFLINE"] = before


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory, offline: None) -> Path:
    return build_tiny_causal_lm(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def backend(tiny: Path) -> TransformersBackend:
    return TransformersBackend(str(tiny))


def req(index: int, mode: str = "completion", **changes: object) -> GenerationRequest:
    fields: dict = {"model": "tiny", "prompt": "def add(a, b):\n", "mode": mode,
                    "temperature": 1.0, "max_tokens": 8, "sample_index": index}  # fmt: skip
    fields.update(changes)
    return GenerationRequest(**fields)


def test_the_tiny_model_is_a_real_model_folder(tiny: Path) -> None:
    names = {p.name for p in tiny.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= names
    assert len(stdlib_corpus()) > 300


def test_samples_are_reproducible_per_index_and_differ_between_indices(
    backend: TransformersBackend,
) -> None:
    first = [backend.generate(req(i)).text for i in range(3)]
    again = [backend.generate(req(i)).text for i in range(3)]
    assert first == again
    assert len(set(first)) > 1


def test_result_reports_tokens_and_parameters(backend: TransformersBackend) -> None:
    result = backend.generate(req(0))
    assert result.prompt_tokens and result.prompt_tokens > 0
    assert result.completion_tokens is not None and 0 < result.completion_tokens <= 8
    assert result.params["temperature"] == 1.0 and result.params["seed"] == 0
    assert result.model == backend.model_name
    assert result.seconds >= 0


def test_greedy_decoding_ignores_the_seed(backend: TransformersBackend) -> None:
    texts = {backend.generate(req(i, temperature=0.0)).text for i in range(3)}
    assert len(texts) == 1


def test_chat_mode_uses_the_chat_template(backend: TransformersBackend) -> None:
    shown = backend.prompt_text(req(0, mode="chat"))
    assert shown == "<|user|>\ndef add(a, b):\n\n<|assistant|>\n"
    assert backend.prompt_text(req(0)) == "def add(a, b):\n"
    assert isinstance(backend.generate(req(0, mode="chat")).text, str)


def test_without_a_template_chat_prompts_are_joined(tmp_path: Path, offline: None) -> None:
    path = build_tiny_causal_lm(
        tmp_path / "plain", TinyModelSpec(chat_template=False, vocab_size=300)
    )
    plain = TransformersBackend(str(path))
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]
    assert plain.prompt_text(req(0, mode="chat", prompt=messages)) == "Be brief.\n\nHi"
