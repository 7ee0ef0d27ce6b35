"""The filter registry: order, replacement by name, and the core rules it starts with."""

from __future__ import annotations

from codejury.assign.eligibility import BaseFilter, FilterRegistry, core_filters, registry


class Named(BaseFilter):
    def __init__(self, name: str, tag: str = "") -> None:
        self.name = name
        self.tag = tag


def test_the_default_registry_starts_with_the_core_rules_in_order() -> None:
    assert registry.names()[:6] == [
        "project_open",
        "active_user",
        "membership",
        "skills",
        "never_judged",
        "overlap",
    ]
    assert [f.name for f in core_filters()] == registry.names()[:6]


def test_register_appends_and_replaces_by_name() -> None:
    reg = FilterRegistry([Named("a"), Named("b")])
    reg.register(Named("c"))
    reg.register(Named("a", tag="new"))
    assert reg.names() == ["b", "c", "a"]
    assert next(f for f in reg.filters if f.name == "a").tag == "new"  # type: ignore[attr-defined]
    reg.unregister("b")
    assert reg.names() == ["c", "a"]


def test_filters_is_a_copy() -> None:
    reg = FilterRegistry([Named("a")])
    reg.filters.clear()
    assert reg.names() == ["a"]
