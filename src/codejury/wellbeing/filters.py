"""Wellbeing eligibility filters, registered when this module is imported.

- ``daily_cap`` / ``weekly_cap``: veto once the annotator's paid hours today / this week (in their
  time zone) reach their cap, saying when work resumes.
- ``sensitive_project``: veto a sensitive project for annotators who did not opt in to its labels.
- ``sensitive_tasks``: leave out tasks marked by a ``sensitive_tags`` entry the annotator did not
  opt in to.

Import ``codejury.wellbeing.filters`` at start-up (the web app and the command line) so these are
in the registry the assignment engine uses.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import cast

from sqlalchemy import ColumnElement

from codejury.assign import BaseFilter, FilterContext, registry
from codejury.wellbeing.hours import cap_reason
from codejury.wellbeing.sensitive import (
    marked_condition,
    missing_project_labels,
    opted_in,
    tag_entries,
)
from codejury.wellbeing.store import WorkedHours, hours_against_caps

_memo = threading.local()


def _hours(ctx: FilterContext) -> WorkedHours:
    """Worked hours for this request, read once for both caps (the daily and the weekly filter);
    upper bounds while both are clearly under their caps."""
    entry = getattr(_memo, "entry", None)
    if entry is not None and entry[0] is ctx:
        return cast(WorkedHours, entry[1])
    hours = hours_against_caps(ctx.session, ctx.user, ctx.now)
    _memo.entry = (ctx, hours)
    return hours


class DailyCap(BaseFilter):
    name = "daily_cap"
    lets_lease_finish = True  # reaching the cap mid-item never takes that item away

    def veto(self, ctx: FilterContext) -> str | None:
        hours = _hours(ctx)
        if hours.today >= hours.caps.daily_hours:
            return cap_reason("daily", hours.caps.daily_hours, hours.today)
        return None


class WeeklyCap(BaseFilter):
    name = "weekly_cap"
    lets_lease_finish = True

    def veto(self, ctx: FilterContext) -> str | None:
        hours = _hours(ctx)
        if hours.this_week >= hours.caps.weekly_hours:
            return cap_reason("weekly", hours.caps.weekly_hours, hours.this_week)
        return None


class SensitiveProject(BaseFilter):
    name = "sensitive_project"

    def veto(self, ctx: FilterContext) -> str | None:
        missing = missing_project_labels(ctx.project, ctx.user.sensitive_opt_ins)
        if not missing:
            return None
        return (
            f"This project holds sensitive content ({', '.join(missing)}) and you have not opted "
            "in to it. You can opt in on your dashboard (My work); nobody is asked to."
        )


class SensitiveTasks(BaseFilter):
    name = "sensitive_tasks"

    def conditions(self, ctx: FilterContext) -> Iterable[ColumnElement[bool]]:
        accepted = opted_in(ctx.user.sensitive_opt_ins)
        return tuple(~marked_condition(e) for e in tag_entries(ctx.project) if e not in accepted)


FILTERS = (SensitiveProject(), SensitiveTasks(), DailyCap(), WeeklyCap())
for _flt in FILTERS:
    registry.register(_flt)
