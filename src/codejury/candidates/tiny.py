"""A tiny causal language model built locally, for tests and demos: nothing is downloaded.

A byte-level BPE tokenizer is trained on Python source from the standard library and a randomly
initialised Llama-style model of a few thousand parameters is saved next to it, so that
``AutoTokenizer.from_pretrained(path)`` and ``AutoModelForCausalLM.from_pretrained(path)`` load it
like any other model folder. Its output is gibberish, but it exercises every code path of a real
model.
"""

from __future__ import annotations

import logging
import sysconfig
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

STDLIB_MODULES = ("textwrap.py", "bisect.py", "heapq.py", "fnmatch.py", "colorsys.py", "shlex.py")
CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)
EOS, PAD = "<|endoftext|>", "<|pad|>"


@dataclass(frozen=True)
class TinyModelSpec:
    vocab_size: int = 512
    hidden_size: int = 32
    layers: int = 2
    heads: int = 2
    max_positions: int = 512
    chat_template: bool = True
    seed: int = 0


def stdlib_corpus(max_lines: int = 2000) -> list[str]:
    """Non-empty lines of Python source from a few standard-library modules (always installed)."""
    root = Path(sysconfig.get_paths()["stdlib"])
    lines: list[str] = []
    for name in STDLIB_MODULES:
        path = root / name
        if path.exists():
            lines.extend(
                line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
            )
    return lines[:max_lines]


def train_tokenizer(corpus: Iterable[str], vocab_size: int = 512) -> Any:
    """A byte-level BPE tokenizer (``tokenizers.Tokenizer``) trained on ``corpus``."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[EOS, PAD],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(list(corpus), trainer)
    return tokenizer


def build_tiny_causal_lm(
    out_dir: Path, spec: TinyModelSpec | None = None, corpus: Iterable[str] | None = None
) -> Path:
    """Train a tokenizer, initialise a tiny Llama-style model and save both to ``out_dir``."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    spec = spec or TinyModelSpec()
    raw = train_tokenizer(corpus if corpus is not None else stdlib_corpus(), spec.vocab_size)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=raw, bos_token=EOS, eos_token=EOS, pad_token=PAD
    )
    if spec.chat_template:
        tokenizer.chat_template = CHAT_TEMPLATE
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=spec.hidden_size,
        intermediate_size=spec.hidden_size * 2,
        num_hidden_layers=spec.layers,
        num_attention_heads=spec.heads,
        num_key_value_heads=spec.heads,
        max_position_embeddings=spec.max_positions,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(spec.seed)
    model = LlamaForCausalLM(config)
    out_dir.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(out_dir)
    model.save_pretrained(out_dir)
    logger.info(
        "tiny model saved", extra={"path": str(out_dir), "parameters": model.num_parameters()}
    )
    return out_dir
