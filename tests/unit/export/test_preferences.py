from __future__ import annotations

import pytest

from codejury.errors import InvalidInput
from codejury.export.consensus import Consensus
from codejury.export.preferences import (
    PreferenceItem,
    completion_text,
    full_text,
    preference_rows,
    prompt_text,
)

PROVENANCE = {
    "item_id",
    "task_id",
    "chosen_id",
    "rejected_id",
    "annotators",
    "confidence",
    "strength",
    "language",
    "kind",
    "tags",
}
PROMPT = "def add(a, b):\n"


def pair_item(**kw: object) -> PreferenceItem:
    base: dict[str, object] = dict(
        item_id=7,
        task_id="t1",
        prompt=PROMPT,
        candidates={1: PROMPT + "    return a + b\n", 2: PROMPT + "    return a - b\n"},
        consensus=Consensus((1, 2), confidence=2 / 3, strength=1.5, votes=3),
        language="python",
        kind="completion",
        tags={"difficulty": "easy", "topics": ["math", "basics"]},
        annotators=("ann-b", "ann-a", "ann-b"),
    )
    base.update(kw)
    return PreferenceItem(**base)  # type: ignore[arg-type]


def test_standard_explicit_has_prompt_and_completions_only() -> None:
    [row] = preference_rows([pair_item()], variant="standard", prompt_style="explicit")
    assert set(row) == {"prompt", "chosen", "rejected"} | PROVENANCE
    assert row["prompt"] == PROMPT
    assert row["chosen"] == "    return a + b\n"
    assert row["rejected"] == "    return a - b\n"
    assert (row["chosen_id"], row["rejected_id"]) == (1, 2)


def test_standard_implicit_puts_prompt_inside_chosen_and_rejected() -> None:
    [row] = preference_rows([pair_item()], variant="standard", prompt_style="implicit")
    assert set(row) == {"chosen", "rejected"} | PROVENANCE
    assert row["chosen"] == PROMPT + "    return a + b\n"
    assert row["rejected"] == PROMPT + "    return a - b\n"


def test_implicit_equals_explicit_prompt_plus_completion_for_non_completion_tasks() -> None:
    item = pair_item(prompt="Explain recursion.", candidates={1: "It calls itself.", 2: "No."})
    [explicit] = preference_rows([item], prompt_style="explicit")
    [implicit] = preference_rows([item], prompt_style="implicit")
    assert implicit["chosen"] == explicit["prompt"] + explicit["chosen"]
    assert implicit["chosen"] == "Explain recursion.\nIt calls itself."


def test_conversational_explicit_uses_message_lists() -> None:
    [row] = preference_rows([pair_item()], variant="conversational", prompt_style="explicit")
    assert row["prompt"] == [{"role": "user", "content": PROMPT}]
    assert row["chosen"] == [{"role": "assistant", "content": PROMPT + "    return a + b\n"}]
    assert row["rejected"][0]["role"] == "assistant"
    assert set(row) == {"prompt", "chosen", "rejected"} | PROVENANCE


def test_conversational_implicit_keeps_chat_prompt_in_both_sides() -> None:
    chat = [{"role": "system", "content": "Be terse."}, {"role": "user", "content": "Fix it"}]
    item = pair_item(prompt=chat, candidates={1: "fixed", 2: "broken"})
    [row] = preference_rows([item], variant="conversational", prompt_style="implicit")
    assert set(row) == {"chosen", "rejected"} | PROVENANCE
    assert row["chosen"] == [*chat, {"role": "assistant", "content": "fixed"}]
    assert row["rejected"][:2] == chat


def test_chat_prompt_as_text_names_roles_unless_single_user_message() -> None:
    assert prompt_text([{"role": "user", "content": "hi"}]) == "hi"
    two = [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}]
    assert prompt_text(two) == "system: s\n\nuser: u"


def test_k_way_ranking_expands_to_every_ordered_pair() -> None:
    item = pair_item(
        candidates={1: "a", 2: "b", 3: "c"},
        consensus=Consensus((3, 1, 2), confidence=1.0, strength=1.0, votes=2),
    )
    rows = preference_rows([item])
    assert [(r["chosen_id"], r["rejected_id"]) for r in rows] == [(3, 1), (3, 2), (1, 2)]


def test_tied_items_give_no_rows() -> None:
    tied = pair_item(consensus=Consensus((1, 2), 1.0, 0.0, 3, tied=True))
    assert preference_rows([tied, pair_item(item_id=8)]) == preference_rows([pair_item(item_id=8)])
    assert len(preference_rows([tied])) == 0


def test_margin_is_strength_times_confidence() -> None:
    [row] = preference_rows([pair_item()], margin=True)
    assert row["margin"] == pytest.approx(1.5 * 2 / 3)
    [plain] = preference_rows([pair_item()])
    assert "margin" not in plain


def test_provenance_lists_pseudonyms_once_and_tags_as_strings() -> None:
    [row] = preference_rows([pair_item()])
    assert row["annotators"] == ["ann-a", "ann-b"]
    assert row["tags"] == ["difficulty=easy", "topics=basics", "topics=math"]
    assert row["confidence"] == pytest.approx(2 / 3, abs=1e-6)


def test_unknown_variant_is_refused() -> None:
    with pytest.raises(InvalidInput, match="unknown export option"):
        preference_rows([pair_item()], variant="chat")  # type: ignore[arg-type]


def test_completion_text_strips_prompt_prefix_only_when_present() -> None:
    assert completion_text("abc", "abcdef") == "def"
    assert completion_text("abc\n", "xyz") == "xyz"
    assert full_text("abc", "xyz") == "abc\nxyz"
