"""Direct preference optimisation with TRL's ``DPOTrainer``.

``train_dpo(DPOTrainingConfig(...))`` trains a causal language model on an exported preference
dataset (explicit prompts are best; TRL extracts implicit ones). The reference model is always
given: either LoRA (``lora=True``: the frozen base with adapters disabled is the reference) or a
second copy of the base loaded from the same path, so TRL never fetches one from the hub.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from codejury.train.data import common_args, load_preferences, require_training

logger = logging.getLogger(__name__)
REPORT_FILE = "codejury-report.json"


@dataclass
class DPOTrainingConfig:
    dataset: Path
    output_dir: Path
    base_model: str
    epochs: float = 1.0
    learning_rate: float = 5e-6
    batch_size: int = 4
    max_steps: int = -1
    max_length: int = 512
    beta: float = 0.1
    lora: bool = False
    lora_r: int = 8
    lora_alpha: int = 16
    seed: int = 0
    logging_steps: int = 10


@dataclass
class DPOReport:
    base_model: str
    output_dir: str
    train_pairs: int
    test_pairs: int
    pairs_per_second: float
    minutes: float
    train_loss: float | None = None
    eval: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _policy(config: DPOTrainingConfig) -> tuple[Any, Any, Any, Any]:
    """``(model, ref_model, tokenizer, peft_config)``."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(config.base_model)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(config.base_model)
    if not config.lora:
        return model, AutoModelForCausalLM.from_pretrained(config.base_model), tokenizer, None
    try:
        from peft import LoraConfig
    except ImportError:
        from codejury.errors import DependencyMissing

        raise DependencyMissing("LoRA needs peft: pip install 'codejury[train]'")
    lora = LoraConfig(
        r=config.lora_r,
        lora_alpha=config.lora_alpha,
        target_modules="all-linear",
        task_type="CAUSAL_LM",
    )
    return model, None, tokenizer, lora


def _dpo_args(config: DPOTrainingConfig) -> Any:
    from trl import DPOConfig

    return DPOConfig(
        **common_args(config), per_device_eval_batch_size=config.batch_size, beta=config.beta
    )


def train_dpo(config: DPOTrainingConfig) -> DPOReport:
    """Train, evaluate on the held-out split (TRL's reward accuracies and margins), save."""
    require_training()
    from trl import DPOTrainer

    started = time.monotonic()
    train, test = load_preferences(Path(config.dataset))
    model, ref_model, tokenizer, lora = _policy(config)
    trainer = DPOTrainer(
        model=model,
        ref_model=ref_model,
        args=_dpo_args(config),
        train_dataset=train,
        eval_dataset=test if len(test) else None,
        processing_class=tokenizer,
        peft_config=lora,
    )
    result = trainer.train()
    metrics = trainer.evaluate() if len(test) else {}
    trainer.save_model(str(config.output_dir))
    tokenizer.save_pretrained(str(config.output_dir))
    report = DPOReport(
        base_model=config.base_model,
        output_dir=str(config.output_dir),
        train_pairs=len(train),
        test_pairs=len(test),
        pairs_per_second=round(float(result.metrics.get("train_samples_per_second", 0.0)), 2),
        minutes=round((time.monotonic() - started) / 60, 2),
        train_loss=result.metrics.get("train_loss"),
        eval={k: round(float(v), 4) for k, v in metrics.items() if isinstance(v, int | float)},
    )
    (Path(config.output_dir) / REPORT_FILE).write_text(json.dumps(report.as_dict(), indent=2))
    logger.info("DPO model saved to %s", config.output_dir)
    return report
