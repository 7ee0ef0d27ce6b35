"""The qualification gate, an eligibility filter registered when this module is imported.

- ``purpose="work"`` on a project with ``qualification_required``: vetoed until the annotator has
  a passed qualification attempt, with a reason that says what to do.
- ``purpose="qualification"`` while the annotator has an open attempt: only that attempt's items.

Import ``codejury.quality.filters`` at start-up (the web app and the command line) so the gate is
in the registry the assignment engine uses.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement

from codejury.assign import BaseFilter, FilterContext, registry
from codejury.db.models import Item
from codejury.quality.qualification import attempts_left, has_passed, open_attempt


class QualificationGate(BaseFilter):
    name = "qualification"

    def veto(self, ctx: FilterContext) -> str | None:
        if ctx.purpose != "work" or not ctx.project.qualification_required:
            return None
        if has_passed(ctx.session, ctx.user.id, ctx.project.id):
            return None
        if open_attempt(ctx.session, ctx.user.id, ctx.project.id) is not None:
            return "Finish your qualification attempt first; real work opens once you pass it."
        left = attempts_left(ctx.session, ctx.user.id, ctx.project)
        if left == 0:
            return (
                f"This project needs a passed qualification; you have used all "
                f"{ctx.project.max_attempts} attempts. Ask a manager."
            )
        return (
            f"This project needs a passed qualification before real work "
            f"(pass mark {ctx.project.pass_mark:.0%}, {left} attempt(s) left). Start it first."
        )

    def conditions(self, ctx: FilterContext) -> Iterable[ColumnElement[bool]]:
        if ctx.purpose != "qualification":
            return ()
        attempt = open_attempt(ctx.session, ctx.user.id, ctx.project.id)
        if attempt is None:
            return ()
        items = [int(i) for i in attempt.details.get("items", [])]
        return (Item.id.in_(items),)


GATE = QualificationGate()
registry.register(GATE)
