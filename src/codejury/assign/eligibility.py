"""Who may be given which item: a list of pluggable filters.

A filter can *veto* (stop assignment for this annotator and say why, e.g. "daily cap reached")
and/or add SQL *conditions* to the query that picks candidate items. The core filters live here;
later features (qualification gate, pay caps, wellbeing caps, sensitive-content opt-ins) register
their own with ``registry.register(...)`` without touching the engine::

    class DailyCap(BaseFilter):
        name = "daily_cap"

        def veto(self, ctx: FilterContext) -> str | None:
            return "Daily cap reached." if hours_today(ctx) >= cap else None

    registry.register(DailyCap())
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import ColumnElement, ScalarSelect, and_, exists, false, func, or_, select, true
from sqlalchemy.orm import Session

from codejury.db.models import Assignment, Item, Judgment, Membership, Project, Task, User


@dataclass(frozen=True)
class FilterContext:
    session: Session
    user: User
    project: Project
    now: datetime
    purpose: str


class EligibilityFilter(Protocol):
    """One eligibility rule. ``name`` identifies it in the registry and in ``NoWork.code``."""

    name: str

    def veto(self, ctx: FilterContext) -> str | None:
        """A reason to give this annotator nothing at all, or None."""
        ...

    def conditions(self, ctx: FilterContext) -> Iterable[ColumnElement[bool]]:
        """SQL conditions on ``Item`` (joined with ``Task``) that an item must meet."""
        ...


class BaseFilter:
    """Convenience base: no veto, no conditions. Override what the rule needs."""

    name = "base"

    def veto(self, ctx: FilterContext) -> str | None:
        return None

    def conditions(self, ctx: FilterContext) -> Iterable[ColumnElement[bool]]:
        return ()


def live_leases(
    item_id: object, now: datetime, exclude_user: int | None = None
) -> ScalarSelect[int]:
    """A scalar subquery counting unexpired active assignments of an item."""
    cond = [
        Assignment.item_id == item_id,
        Assignment.state == "active",
        Assignment.expires_at > now,
    ]
    if exclude_user is not None:
        cond.append(Assignment.user_id != exclude_user)
    return select(func.count(Assignment.id)).where(*cond).scalar_subquery()


class ProjectOpen(BaseFilter):
    """Only a published project hands out work."""

    name = "project_open"

    def veto(self, ctx: FilterContext) -> str | None:
        if ctx.project.status != "published":
            return f"This project is {ctx.project.status}, not open for work."
        return None


class ActiveUser(BaseFilter):
    name = "active_user"

    def veto(self, ctx: FilterContext) -> str | None:
        return None if ctx.user.active else "This account is deactivated."


class Member(BaseFilter):
    """Members of the project may work on it, and admins on every project (as in accounts.access)."""

    name = "membership"

    def veto(self, ctx: FilterContext) -> str | None:
        if ctx.user.role == "admin":
            return None
        found = ctx.session.scalar(
            select(Membership.id).where(
                Membership.project_id == ctx.project.id, Membership.user_id == ctx.user.id
            )
        )
        return None if found is not None else "You are not a member of this project."


class SkillsMatch(BaseFilter):
    """The task's language is one of the annotator's skills (any case); none listed: any."""

    name = "skills"

    def conditions(self, ctx: FilterContext) -> Iterable[ColumnElement[bool]]:
        skills = sorted({str(s).lower() for s in ctx.user.skills or []})
        if not skills:
            return ()
        return (func.lower(Task.language).in_(skills),)


class NeverJudged(BaseFilter):
    """Never an item the annotator judged (any judgment, skips included) or gave back."""

    name = "never_judged"

    def conditions(self, ctx: FilterContext) -> Iterable[ColumnElement[bool]]:
        judged = exists().where(Judgment.item_id == Item.id, Judgment.user_id == ctx.user.id)
        released = exists().where(
            Assignment.item_id == Item.id,
            Assignment.user_id == ctx.user.id,
            Assignment.state == "released",
        )
        return (~judged, ~released)


class Capacity(BaseFilter):
    """A regular work item takes at most ``overlap`` judges: counted judgments plus live leases.

    Gold items are judged once by everyone; practice and qualification items have no overlap.
    """

    name = "overlap"

    def conditions(self, ctx: FilterContext) -> Iterable[ColumnElement[bool]]:
        if ctx.purpose != "work":
            return ()
        room = Item.counted + live_leases(Item.id, ctx.now) < ctx.project.overlap
        # The plain column test first: cheap, and lets the queue index skip complete items.
        full = Item.counted < ctx.project.overlap
        return (or_(Item.is_gold == true(), and_(Item.is_gold == false(), full, room)),)


def core_filters() -> list[EligibilityFilter]:
    return [ProjectOpen(), ActiveUser(), Member(), SkillsMatch(), NeverJudged(), Capacity()]


class FilterRegistry:
    """An ordered list of filters; registering a name again replaces the earlier filter."""

    def __init__(self, filters: Sequence[EligibilityFilter] = ()) -> None:
        self._filters: list[EligibilityFilter] = list(filters)

    def register(self, flt: EligibilityFilter) -> EligibilityFilter:
        self.unregister(flt.name)
        self._filters.append(flt)
        return flt

    def unregister(self, name: str) -> None:
        self._filters = [f for f in self._filters if f.name != name]

    @property
    def filters(self) -> list[EligibilityFilter]:
        return list(self._filters)

    def names(self) -> list[str]:
        return [f.name for f in self._filters]


# The registry the engine uses unless a caller passes its own list of filters.
registry = FilterRegistry(core_filters())

# Features whose modules register filters of their own when imported (qualification gate, hour caps,
# sensitive content). The server and the command line load them at start-up.
FEATURE_FILTER_MODULES = ("codejury.quality.filters", "codejury.wellbeing.filters")


def load_feature_filters() -> None:
    import importlib

    for name in FEATURE_FILTER_MODULES:
        importlib.import_module(name)


def first_veto(filters: Sequence[EligibilityFilter], ctx: FilterContext) -> tuple[str, str] | None:
    """(filter name, reason) of the first filter that vetoes, or None."""
    for flt in filters:
        reason = flt.veto(ctx)
        if reason:
            return flt.name, reason
    return None


def item_conditions(
    filters: Sequence[EligibilityFilter], ctx: FilterContext
) -> list[ColumnElement[bool]]:
    return [cond for flt in filters for cond in flt.conditions(ctx)]
