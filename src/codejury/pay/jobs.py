"""Pay's scheduled job: approve work left unreviewed past ``auto_approve_days``."""

from __future__ import annotations

from sqlalchemy.orm import Session

from codejury.jobs import job


@job("auto-approve judgments")
def auto_approve_job(session: Session) -> int:
    from codejury.pay.store import auto_approve

    return auto_approve(session)
