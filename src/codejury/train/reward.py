"""Reward model training with TRL's ``RewardTrainer`` (a Bradley–Terry loss over preference pairs).

``train_reward(RewardTrainingConfig(...))`` loads an exported preference dataset, trains
``AutoModelForSequenceClassification(num_labels=1)`` on its ``train`` split and reports held-out pairwise
accuracy (reward(chosen) > reward(rejected) on the ``test`` split) with a 95% Wilson interval. TRL
drops pairs longer than ``max_length`` rather than truncating them; the report counts them
beforehand.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from codejury.train.data import (
    as_text,
    common_args,
    default_base_model,
    is_conversational,
    load_preferences,
    pair_texts,
    require_training,
)
from codejury.train.scoring import pair_accuracy, score_texts, token_lengths

logger = logging.getLogger(__name__)
REPORT_FILE = "codejury-report.json"


@dataclass
class RewardTrainingConfig:
    dataset: Path
    output_dir: Path
    base_model: str = field(default_factory=default_base_model)
    epochs: float = 1.0
    learning_rate: float = 5e-5
    batch_size: int = 8
    max_steps: int = -1
    max_length: int = 512
    seed: int = 0
    logging_steps: int = 10


@dataclass
class RewardReport:
    base_model: str
    output_dir: str
    train_pairs: int
    test_pairs: int
    dropped_train: int
    dropped_test: int
    accuracy: float
    ci_low: float
    ci_high: float
    pairs_per_second: float
    minutes: float
    train_loss: float | None = None
    metrics: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _model_and_tokenizer(base_model: str) -> tuple[Any, Any, str | None]:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base_model)
    model = AutoModelForSequenceClassification.from_pretrained(base_model, num_labels=1)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model.config.pad_token_id = tokenizer.pad_token_id
    # Encoders such as BERT have no EOS token; TRL appends one to every text, so use [SEP].
    eos = None if tokenizer.eos_token is not None else tokenizer.sep_token
    return model, tokenizer, eos


def _textual(dataset: Any, tokenizer: Any) -> Any:
    if len(dataset) and is_conversational(dataset[0]) and not tokenizer.chat_template:
        return dataset.map(as_text)
    return dataset


def _dropped(tokenizer: Any, dataset: Any, suffix: str, max_length: int) -> int:
    pairs = [pair_texts(row, suffix) for row in dataset]
    chosen = token_lengths(tokenizer, [c for c, _ in pairs])
    rejected = token_lengths(tokenizer, [r for _, r in pairs])
    return sum(max(c, r) > max_length for c, r in zip(chosen, rejected, strict=True))


def _evaluate(model: Any, tokenizer: Any, dataset: Any, suffix: str, max_length: int) -> Any:
    pairs = [pair_texts(row, suffix) for row in dataset]
    model.eval()
    better = score_texts(model, tokenizer, [c for c, _ in pairs], max_length)
    worse = score_texts(model, tokenizer, [r for _, r in pairs], max_length)
    return pair_accuracy(better, worse)


def _reward_args(config: RewardTrainingConfig, eos: str | None) -> Any:
    from trl import RewardConfig

    return RewardConfig(**common_args(config), eos_token=eos)


def train_reward(config: RewardTrainingConfig) -> RewardReport:
    """Train, evaluate on the held-out split, save model, tokenizer and report."""
    require_training()
    from trl import RewardTrainer

    started = time.monotonic()
    train, test = load_preferences(Path(config.dataset))
    model, tokenizer, eos = _model_and_tokenizer(config.base_model)
    train, test = _textual(train, tokenizer), _textual(test, tokenizer)
    args = _reward_args(config, eos)
    suffix = eos or tokenizer.eos_token or ""
    dropped = (
        _dropped(tokenizer, train, suffix, config.max_length),
        _dropped(tokenizer, test, suffix, config.max_length) if len(test) else 0,
    )
    trainer = RewardTrainer(model=model, args=args, train_dataset=train, processing_class=tokenizer)
    result = trainer.train()
    accuracy = _evaluate(trainer.model, tokenizer, test, suffix, config.max_length)
    trainer.save_model(str(config.output_dir))
    tokenizer.save_pretrained(str(config.output_dir))
    report = RewardReport(
        base_model=config.base_model,
        output_dir=str(config.output_dir),
        train_pairs=len(train),
        test_pairs=len(test),
        dropped_train=dropped[0],
        dropped_test=dropped[1],
        accuracy=round(accuracy.accuracy, 4),
        ci_low=round(accuracy.low, 4),
        ci_high=round(accuracy.high, 4),
        pairs_per_second=round(float(result.metrics.get("train_samples_per_second", 0.0)), 2),
        minutes=round((time.monotonic() - started) / 60, 2),
        train_loss=result.metrics.get("train_loss"),
        metrics={"max_length": config.max_length, "suffix": suffix},
    )
    (Path(config.output_dir) / REPORT_FILE).write_text(json.dumps(report.as_dict(), indent=2))
    logger.info("reward model saved to %s: accuracy %.3f", config.output_dir, report.accuracy)
    return report
