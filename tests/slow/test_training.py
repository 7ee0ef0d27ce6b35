"""Exports train with TRL on CPU: the JSONL loads with ``datasets`` and the weights move."""

from __future__ import annotations

from pathlib import Path

import pytest

from codejury.export.consensus import Consensus
from codejury.export.preferences import PreferenceItem, preference_rows
from codejury.export.splits import assign_splits, split_tasks
from codejury.export.writers import write_rows

pytestmark = pytest.mark.slow
LONG = "    # " + "padding " * 40 + "\n"


def _export(
    tmp: Path, *, prompt_style: str = "explicit", tasks: int = 12, variant: str = "standard"
) -> Path:
    items = [
        PreferenceItem(
            item_id=n,
            task_id=f"task-{n}",
            prompt=f"def f{n}(x):\n",
            candidates={
                1: f"def f{n}(x):\n    return x + {n}\n" + LONG * (n % 3 == 0),
                2: f"def f{n}(x):\n    pass\n",
            },
            consensus=Consensus((1, 2), confidence=1.0, strength=2.0, votes=3),
            language="python",
            kind="completion",
            annotators=("ann-01", "ann-02"),
        )
        for n in range(tasks)
    ]
    rows = preference_rows(
        items,
        variant=variant,  # type: ignore[arg-type]
        prompt_style=prompt_style,  # type: ignore[arg-type]
        margin=True,
    )
    assign_splits(rows, test_fraction=0.25)
    write_rows(rows, "jsonl", tmp / "export", "preferences")
    return tmp / "export"


def _params(path: Path, cls_name: str) -> dict[str, object]:
    import transformers

    cls = getattr(transformers, cls_name)
    kwargs = {"num_labels": 1} if "Sequence" in cls_name else {}
    return {k: v.clone() for k, v in cls.from_pretrained(str(path), **kwargs).state_dict().items()}


def _changed(before: dict[str, object], after: dict[str, object], prefix: str) -> bool:
    import torch

    keys = [k for k in before if k.startswith(prefix) and k in after]
    assert keys, f"no parameters under {prefix}"
    return any(not torch.equal(before[k], after[k]) for k in keys)  # type: ignore[arg-type]


def test_jsonl_export_loads_and_trains_in_trl_reward_trainer(
    tmp_path: Path, tiny_encoder: Path
) -> None:
    from datasets import load_dataset
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from trl import RewardConfig, RewardTrainer

    data = load_dataset(
        "json", data_files=str(_export(tmp_path) / "preferences.jsonl"), split="train"
    )
    assert {"prompt", "chosen", "rejected", "margin", "annotators", "item_id"} <= set(
        data.column_names
    )
    tokenizer = AutoTokenizer.from_pretrained(tiny_encoder)
    model = AutoModelForSequenceClassification.from_pretrained(tiny_encoder, num_labels=1)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    args = RewardConfig(
        output_dir=str(tmp_path / "rm"),
        max_steps=3,
        per_device_train_batch_size=4,
        learning_rate=1e-3,
        bf16=False,
        eos_token="[SEP]",
        report_to=[],
        save_strategy="no",
    )
    RewardTrainer(model=model, args=args, train_dataset=data, processing_class=tokenizer).train()
    assert _changed(before, model.state_dict(), "bert.encoder")


def test_train_reward_reports_held_out_accuracy_and_saves(
    tmp_path: Path, tiny_encoder: Path
) -> None:
    from codejury.train.reward import RewardTrainingConfig, train_reward

    out = tmp_path / "model"
    report = train_reward(
        RewardTrainingConfig(
            dataset=_export(tmp_path, prompt_style="implicit"),
            output_dir=out,
            base_model=str(tiny_encoder),
            max_steps=4,
            batch_size=4,
            learning_rate=1e-3,
            max_length=32,
        )
    )
    assert report.train_pairs + report.test_pairs == 12 and report.test_pairs >= 1
    long_train = [
        n
        for n in range(0, 12, 3)
        if split_tasks([f"task-{i}" for i in range(12)], 0.25)[f"task-{n}"] == "train"
    ]
    assert report.dropped_train == len(long_train) > 0  # pairs with the long comment
    assert 0.0 <= report.ci_low <= report.accuracy <= report.ci_high <= 1.0
    assert (out / "codejury-report.json").exists()


def test_train_reward_moves_minilm_weights(tmp_path: Path) -> None:
    from codejury.train.data import default_base_model
    from codejury.train.reward import RewardTrainingConfig, train_reward

    out = tmp_path / "model"
    report = train_reward(
        RewardTrainingConfig(
            dataset=_export(tmp_path, tasks=8),
            output_dir=out,
            max_steps=2,
            batch_size=2,
            learning_rate=1e-4,
            max_length=128,
        )
    )
    assert report.base_model == default_base_model() and report.dropped_train == 0
    before = _params(Path(default_base_model()), "AutoModelForSequenceClassification")
    after = _params(out, "AutoModelForSequenceClassification")
    assert _changed(before, after, "bert.encoder.layer.0")


@pytest.mark.parametrize("lora", [False, True])
def test_train_dpo_moves_weights(tmp_path: Path, tiny_causal_lm: Path, lora: bool) -> None:
    from codejury.train.dpo import DPOTrainingConfig, train_dpo

    out = tmp_path / "policy"
    report = train_dpo(
        DPOTrainingConfig(
            dataset=_export(tmp_path),
            output_dir=out,
            base_model=str(tiny_causal_lm),
            max_steps=3,
            batch_size=4,
            learning_rate=1e-3,
            lora=lora,
            max_length=128,
        )
    )
    assert report.train_pairs > 0 and "eval_rewards/accuracies" in report.eval
    if lora:
        from safetensors.torch import load_file

        adapters = load_file(str(out / "adapter_model.safetensors"))
        assert any(k.endswith("lora_B.weight") and v.abs().sum() > 0 for k, v in adapters.items())
    else:
        before = _params(tiny_causal_lm, "AutoModelForCausalLM")
        assert _changed(before, _params(out, "AutoModelForCausalLM"), "transformer.h.0")


def test_conversational_export_trains_an_encoder_without_chat_template(
    tmp_path: Path, tiny_encoder: Path
) -> None:
    from codejury.train.data import as_text
    from codejury.train.reward import RewardTrainingConfig, train_reward

    row = {
        "prompt": [{"role": "user", "content": "def f(x):\n"}],
        "chosen": [{"role": "assistant", "content": "def f(x):\n    return x\n"}],
        "rejected": [{"role": "assistant", "content": "pass"}],
    }
    assert as_text(row) == {"prompt": "def f(x):\n", "chosen": "    return x\n", "rejected": "pass"}
    report = train_reward(
        RewardTrainingConfig(
            dataset=_export(tmp_path, variant="conversational", prompt_style="implicit"),
            output_dir=tmp_path / "model",
            base_model=str(tiny_encoder),
            max_steps=2,
            batch_size=4,
        )
    )
    assert report.train_pairs > 0 and report.test_pairs > 0
