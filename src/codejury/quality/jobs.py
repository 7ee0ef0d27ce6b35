"""Scheduled quality jobs: escalate appeals left open past their deadline.

``codejury.jobs`` imports this module when it runs the jobs. Importing it also registers the
qualification gate, so a worker-only process applies the same eligibility rules.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

import codejury.quality.filters  # noqa: F401  (registers the qualification gate)
from codejury.db.base import utcnow
from codejury.jobs import job
from codejury.quality.review import escalate_overdue


@job("escalate appeals")
def escalate_appeals(session: Session) -> int:
    return escalate_overdue(session, utcnow())
