"""Run a reward model over texts, and measure how often it prefers what people preferred."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from codejury.quality.intervals import wilson_interval
from codejury.train.data import require_training


@dataclass(frozen=True)
class PairAccuracy:
    """How often reward(better) > reward(worse), with a 95% Wilson interval."""

    correct: int
    pairs: int
    low: float
    high: float

    @property
    def accuracy(self) -> float:
        return self.correct / self.pairs if self.pairs else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "accuracy": round(self.accuracy, 4),
            "ci_low": round(self.low, 4),
            "ci_high": round(self.high, 4),
            "pairs": self.pairs,
        }


def pair_accuracy(better: Sequence[float], worse: Sequence[float]) -> PairAccuracy:
    """Share of pairs where the better side scored strictly higher (a tie counts as wrong)."""
    correct = sum(b > w for b, w in zip(better, worse, strict=True))
    low, high = wilson_interval(correct, len(better))
    return PairAccuracy(correct, len(better), low, high)


def load_reward_model(path: str) -> tuple[Any, Any]:
    """``(model, tokenizer)`` of a saved sequence-classification reward model, in eval mode."""
    require_training()
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=1)
    model.eval()
    return model, tokenizer


def score_texts(
    model: Any, tokenizer: Any, texts: Sequence[str], max_length: int = 512, batch_size: int = 16
) -> list[float]:
    """One scalar reward per text. Longer texts keep their last ``max_length`` tokens, where the
    response is."""
    import torch

    tokenizer.truncation_side = "left"

    device = next(model.parameters()).device
    scores: list[float] = []
    with torch.no_grad():
        for start in range(0, len(texts), batch_size):
            batch = tokenizer(
                list(texts[start : start + batch_size]),
                padding=True,
                truncation=True,
                max_length=max_length,
                return_tensors="pt",
            ).to(device)
            logits = model(**batch).logits.squeeze(-1)
            scores.extend(float(x) for x in logits.float().cpu())
    return scores


def token_lengths(tokenizer: Any, texts: Sequence[str]) -> list[int]:
    """Tokens per text, special tokens included, as the trainer will count them."""
    if not texts:
        return []
    return [len(ids) for ids in tokenizer(list(texts), add_special_tokens=True)["input_ids"]]
