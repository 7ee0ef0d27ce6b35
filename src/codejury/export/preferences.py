"""Preference rows in TRL's *preference* dataset type, from plain data (no database).

Columns TRL reads:

- ``variant="standard"``: text. ``prompt_style="explicit"`` gives ``prompt`` / ``chosen`` /
  ``rejected`` with the completions only (for DPO); ``"implicit"`` gives ``chosen`` / ``rejected``
  that include the prompt (for reward modelling).
- ``variant="conversational"``: lists of ``{"role", "content"}`` messages, same two prompt styles.
- ``margin`` (optional): consensus strength × confidence of the pair (the mean strength of the
  votes that agree with the consensus, times its confidence); RewardTrainer subtracts it inside its
  loss.

Provenance columns that TRL drops before training (``remove_unused_columns``): ``item_id``,
``task_id``, ``chosen_id``, ``rejected_id``, ``annotators`` (pseudonyms), ``confidence``,
``strength``, ``language``, ``kind``, ``tags`` (``key=value`` strings) and ``split``.

K-way rankings expand to every ordered (better, worse) pair; tied items give no rows. The database
path (``codejury.export.queries.preference_items``) gives one ``PreferenceItem`` per candidate pair
that the quality consensus decided, each with its own confidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from codejury.errors import InvalidInput
from codejury.export.consensus import Consensus

Variant = Literal["standard", "conversational"]
PromptStyle = Literal["explicit", "implicit"]
Prompt = str | Sequence[Mapping[str, str]]
VARIANTS = ("standard", "conversational")
PROMPT_STYLES = ("explicit", "implicit")


@dataclass(frozen=True)
class PreferenceItem:
    """One judged item (or one decided candidate pair of it) with what an export needs about it."""

    item_id: int
    task_id: str
    prompt: Prompt
    candidates: Mapping[int, str]
    consensus: Consensus
    language: str = ""
    kind: str = ""
    tags: Mapping[str, Any] = field(default_factory=dict)
    annotators: tuple[str, ...] = ()


def prompt_text(prompt: Prompt) -> str:
    """A text prompt as it is; chat messages as text (a lone user message is just its content)."""
    if isinstance(prompt, str):
        return prompt
    messages = list(prompt)
    if len(messages) == 1 and messages[0].get("role") == "user":
        return str(messages[0]["content"])
    return "\n\n".join(f"{m['role']}: {m['content']}" for m in messages)


def prompt_messages(prompt: Prompt) -> list[dict[str, str]]:
    """Chat messages as they are; a text prompt as one user message."""
    if isinstance(prompt, str):
        return [{"role": "user", "content": prompt}]
    return [{"role": str(m["role"]), "content": str(m["content"])} for m in prompt]


def completion_text(prompt: str, content: str) -> str:
    """What follows ``prompt`` in a response.

    Completion-style candidates already start with the prompt, which is stripped. Other responses
    get a newline between prompt and response when neither side brings whitespace, so that
    ``prompt + completion_text(prompt, content)`` always reads as the full exchange.
    """
    if prompt and content.startswith(prompt):
        return content[len(prompt) :]
    if prompt and not prompt[-1].isspace() and content and not content[0].isspace():
        return "\n" + content
    return content


def full_text(prompt: Prompt, content: str) -> str:
    """Prompt and response as one text, as a reward model sees them (the implicit-prompt form)."""
    text = prompt_text(prompt)
    return text + completion_text(text, content)


def tag_strings(tags: Mapping[str, Any]) -> list[str]:
    """Tags as sorted ``key=value`` strings (a list value gives one string per element)."""
    out: list[str] = []
    for key, value in tags.items():
        values = value if isinstance(value, list | tuple) else [value]
        out.extend(f"{key}={v}" for v in values)
    return sorted(out)


def _pair_columns(
    item: PreferenceItem, chosen: str, rejected: str, variant: Variant, style: PromptStyle
) -> dict[str, Any]:
    if variant == "standard":
        text = prompt_text(item.prompt)
        good, bad = completion_text(text, chosen), completion_text(text, rejected)
        if style == "explicit":
            return {"prompt": text, "chosen": good, "rejected": bad}
        return {"chosen": text + good, "rejected": text + bad}
    messages = prompt_messages(item.prompt)
    good_m = [{"role": "assistant", "content": chosen}]
    bad_m = [{"role": "assistant", "content": rejected}]
    if style == "explicit":
        return {"prompt": messages, "chosen": good_m, "rejected": bad_m}
    return {"chosen": messages + good_m, "rejected": messages + bad_m}


def _check_options(variant: str, prompt_style: str) -> None:
    problems = []
    if variant not in VARIANTS:
        problems.append(f"variant: {variant!r} is not one of {', '.join(VARIANTS)}")
    if prompt_style not in PROMPT_STYLES:
        problems.append(f"prompt_style: {prompt_style!r} is not one of {', '.join(PROMPT_STYLES)}")
    if problems:
        raise InvalidInput("unknown export option", problems)


def preference_rows(
    items: Iterable[PreferenceItem],
    *,
    variant: Variant = "standard",
    prompt_style: PromptStyle = "explicit",
    margin: bool = False,
) -> list[dict[str, Any]]:
    """One row per (better, worse) candidate pair of every non-tied item, in item order."""
    _check_options(variant, prompt_style)
    rows = []
    for item in items:
        c = item.consensus
        for better, worse in c.pairs:
            row = _pair_columns(
                item, item.candidates[better], item.candidates[worse], variant, prompt_style
            )
            if margin:
                row["margin"] = round(c.strength * c.confidence, 6)
            row.update(
                item_id=item.item_id,
                task_id=item.task_id,
                chosen_id=better,
                rejected_id=worse,
                annotators=sorted(set(item.annotators)),
                confidence=round(c.confidence, 6),
                strength=round(c.strength, 6),
                language=item.language,
                kind=item.kind,
                tags=tag_strings(item.tags),
            )
            rows.append(row)
    return rows
