"""Local generation with Hugging Face ``transformers``: any causal LM folder, or a hub id already in
the local cache. The tokenizer's chat template is used in chat mode when it has one; each sample is
seeded with its sample index, so a re-run reproduces it and ``-n K`` gives K different samples."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from codejury.candidates.backends.base import GenerationRequest, GenerationResult, cut_at_stop
from codejury.errors import DependencyMissing

logger = logging.getLogger(__name__)


class TransformersBackend:
    name = "transformers"
    max_concurrency = 1  # one model in memory, one generation at a time

    def __init__(self, model: str, *, device: str | None = None, seed_offset: int = 0) -> None:
        try:
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError:
            raise DependencyMissing(
                "the transformers backend needs the `train` extra: pip install 'codejury[train]'"
            )
        self.model_name = model
        self.seed_offset = seed_offset
        self.tokenizer: Any = AutoTokenizer.from_pretrained(model)
        loaded: Any = AutoModelForCausalLM.from_pretrained(model)
        self.model: Any = loaded.to(device) if device else loaded
        self.model.eval()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"TransformersBackend(model={self.model_name!r})"

    def close(self) -> None:
        """Nothing to release beyond what garbage collection does."""

    def prompt_text(self, request: GenerationRequest) -> str:
        """What the model sees: in chat mode, the chat template applied when there is one."""
        if request.mode == "chat" and getattr(self.tokenizer, "chat_template", None):
            text = self.tokenizer.apply_chat_template(
                request.messages(), tokenize=False, add_generation_prompt=True
            )
            return str(text)
        return request.text()

    def generate(self, request: GenerationRequest) -> GenerationResult:
        import torch
        from transformers import set_seed

        text = self.prompt_text(request)
        encoded = self.tokenizer(text, return_tensors="pt", add_special_tokens=False).to(
            self.model.device
        )
        started = time.monotonic()
        with self._lock, torch.no_grad():
            set_seed(self.seed_offset + request.sample_index)
            output = self.model.generate(**encoded, **self._sampling(request))
        prompt_len = int(encoded["input_ids"].shape[1])
        new_tokens = output[0, prompt_len:]
        completion: str = self.tokenizer.decode(new_tokens, skip_special_tokens=True)
        return GenerationResult(
            text=cut_at_stop(completion, request.stop),
            model=self.model_name,
            params={**request.params(), "seed": self.seed_offset + request.sample_index},
            prompt_tokens=prompt_len,
            completion_tokens=int(new_tokens.shape[0]),
            seconds=round(time.monotonic() - started, 3),
            finish_reason="stop" if int(new_tokens.shape[0]) < request.max_tokens else "length",
        )

    def _sampling(self, request: GenerationRequest) -> dict[str, Any]:
        pad = self.tokenizer.pad_token_id
        if pad is None:
            pad = self.tokenizer.eos_token_id
        kwargs: dict[str, Any] = {"max_new_tokens": request.max_tokens, "pad_token_id": pad}
        if request.temperature > 0:
            kwargs.update(do_sample=True, temperature=request.temperature, top_p=request.top_p)
        else:
            kwargs.update(do_sample=False)
        return kwargs
