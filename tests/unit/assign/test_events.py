"""Declared work events: kinds and seconds only, with a small flat meta."""

from __future__ import annotations

from codejury.assign.events import MAX_EVENT_SECONDS, _check_event


def test_a_declared_event_passes() -> None:
    assert _check_event("guidelines", 90, {"guideline_version": 2}) == []


def test_unknown_kind_bad_seconds_and_nested_meta_are_refused() -> None:
    problems = _check_event(
        "keystrokes", MAX_EVENT_SECONDS + 1, {"keys": ["a", "b"], "note": "x" * 300}
    )
    assert [p.split(":")[0] for p in problems] == ["kind", "seconds", "meta.keys", "meta.note"]
    assert _check_event("idle", -1, {})[0].startswith("seconds")
