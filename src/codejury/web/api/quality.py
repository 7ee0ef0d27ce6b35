"""Quality control over the REST API: the report, review and appeal, gold contests, qualification.

Managers (of the project) read the report, the review queue and the appeals, review judgments,
decide appeals (never their own reviews) and rule on contests. Annotators see their own reviews,
appeal them once, contest their own gold misses (again after a ruling, while the answer still
differs) and take the qualification.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from codejury.accounts import require_member
from codejury.db.base import utcnow
from codejury.db.models import Judgment, Project, User
from codejury.errors import NotFound
from codejury.quality import contests, flags, qualification, review
from codejury.quality.report import plain, report_dict
from codejury.quality.store import open_flags, project_quality, refresh_flags, review_queue
from codejury.web.api.projects import project_for
from codejury.web.deps import AppSettings, CurrentUser, DbSession

router = APIRouter(tags=["quality"])


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: str
    reason_code: str | None = None
    explanation: str | None = Field(None, max_length=5000)
    evidence: dict[str, Any] | None = None


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str = Field(max_length=5000)


class AppealDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    grant: bool
    note: str = Field(max_length=5000)


class ContestDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    upheld: bool
    note: str = Field(max_length=5000)
    corrected_answer: dict[str, Any] | None = None
    ungold: bool = False


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(max_length=5000)


class FinishIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seconds: float = 0.0


def judgment_or_404(session: DbSession, judgment_id: int) -> Judgment:
    row = session.get(Judgment, judgment_id)
    if row is None:
        raise NotFound(f"no judgment {judgment_id}")
    return row


def flag_view(flag: Any) -> dict[str, Any]:
    return {
        "id": flag.id,
        "user_id": flag.user_id,
        "kind": flag.kind,
        "evidence": flag.evidence,
        "status": flag.status,
        "created_at": flag.created_at,
        "closed_by": flag.closed_by,
        "closed_at": flag.closed_at,
    }


def attempt_view(row: Any) -> dict[str, Any]:
    results = row.details.get("results", [])
    return {
        "id": row.id,
        "started_at": row.started_at,
        "finished_at": row.finished_at,
        "score": row.score,
        "passed": row.passed,
        "items": row.details.get("items", []),
        "results": results,
        "misses": [r for r in results if not r.get("correct")],
    }


@router.get("/reason-codes")
def reason_codes(user: CurrentUser) -> list[dict[str, Any]]:
    return [plain(code) for code in review.REASON_CODES.values()]


@router.get("/projects/{slug}/quality")
def quality_report(slug: str, session: DbSession, user: CurrentUser) -> dict[str, Any]:
    project = project_for(session, user, slug, manage=True)
    return report_dict(project_quality(session, project))


@router.post("/projects/{slug}/flags/refresh")
def flags_refresh(slug: str, session: DbSession, user: CurrentUser) -> dict[str, Any]:
    project = project_for(session, user, slug, manage=True)
    added = refresh_flags(session, project)
    return {
        "added": [flag_view(f) for f in added],
        "open": [flag_view(f) for f in open_flags(session, project)],
    }


@router.get("/projects/{slug}/review-queue")
def queue(slug: str, session: DbSession, user: CurrentUser) -> dict[str, Any]:
    project = project_for(session, user, slug, manage=True)
    return {
        "entries": plain(review_queue(session, project)),
        "flags": [flag_view(f) for f in open_flags(session, project)],
        "contests": [contests.contest_view(c) for c in contests.contests_of(session, project)],
    }


@router.post("/judgments/{judgment_id}/review", status_code=201)
def review_judgment(
    judgment_id: int, body: ReviewIn, session: DbSession, user: CurrentUser
) -> dict[str, Any]:
    judgment = judgment_or_404(session, judgment_id)
    row = review.review_judgment(
        session, user, judgment, body.decision, body.reason_code, body.explanation, body.evidence
    )
    return review.review_view(row, None, utcnow()) | {"judgment_status": judgment.status}


@router.get("/me/reviews")
def my_reviews(
    session: DbSession, user: CurrentUser, project: str | None = None
) -> list[dict[str, Any]]:
    scope = project_for(session, user, project) if project else None
    return review.reviews_of(session, user, scope)


@router.post("/reviews/{review_id}/appeal", status_code=201)
def appeal(
    review_id: int, body: MessageIn, session: DbSession, user: CurrentUser, settings: AppSettings
) -> dict[str, Any]:
    row = review.get_review(session, review_id)
    made = review.appeal(
        session, user, row, body.message, deadline_days=settings.appeal_deadline_days
    )
    return review.appeal_view(made, utcnow())


@router.post("/appeals/{appeal_id}/decision")
def decide_appeal(
    appeal_id: int, body: AppealDecisionIn, session: DbSession, user: CurrentUser
) -> dict[str, Any]:
    row = review.decide_appeal(
        session, user, review.get_appeal(session, appeal_id), body.grant, body.note
    )
    return review.appeal_view(row, utcnow())


@router.get("/projects/{slug}/appeals")
def appeals(
    slug: str, session: DbSession, user: CurrentUser, open_only: bool = False
) -> list[dict[str, Any]]:
    project = project_for(session, user, slug, manage=True)
    return review.project_appeals(session, project, open_only=open_only)


@router.post("/judgments/{judgment_id}/contest", status_code=201)
def contest(
    judgment_id: int, body: MessageIn, session: DbSession, user: CurrentUser
) -> dict[str, Any]:
    row = contests.contest_gold(session, user, judgment_or_404(session, judgment_id), body.message)
    return contests.contest_view(row)


@router.get("/me/gold-misses")
def my_gold_misses(session: DbSession, user: CurrentUser) -> list[dict[str, Any]]:
    return contests.gold_misses(session, user)


@router.get("/me/contests")
def my_contests(session: DbSession, user: CurrentUser) -> list[dict[str, Any]]:
    return contests.contests_by(session, user)


@router.post("/contests/{contest_id}/decision")
def decide_contest(
    contest_id: int, body: ContestDecisionIn, session: DbSession, user: CurrentUser
) -> dict[str, Any]:
    row = contests.decide_contest(
        session,
        user,
        contests.get_contest(session, contest_id),
        upheld=body.upheld,
        note=body.note,
        corrected_answer=body.corrected_answer,
        ungold=body.ungold,
    )
    return contests.contest_view(row)


def qualification_summary(session: DbSession, user: User, project: Project) -> dict[str, Any]:
    return {
        "required": project.qualification_required,
        "pass_mark": project.pass_mark,
        "size": project.qualification_size,
        "max_attempts": project.max_attempts,
        "attempts_left": qualification.attempts_left(session, user.id, project),
        "passed": qualification.has_passed(session, user.id, project.id),
        "attempts": [
            attempt_view(a) for a in qualification.attempts_of(session, user.id, project.id)
        ],
    }


@router.get("/projects/{slug}/qualification")
def qualification_state(slug: str, session: DbSession, user: CurrentUser) -> dict[str, Any]:
    project = project_for(session, user, slug)
    return qualification_summary(session, user, project)


@router.post("/projects/{slug}/qualification/start", status_code=201)
def qualification_start(slug: str, session: DbSession, user: CurrentUser) -> dict[str, Any]:
    project = project_for(session, user, slug)
    return attempt_view(qualification.start_attempt(session, user, project))


@router.post("/projects/{slug}/qualification/finish")
def qualification_finish(
    slug: str, body: FinishIn, session: DbSession, user: CurrentUser
) -> dict[str, Any]:
    project = project_for(session, user, slug)
    attempt = qualification.open_attempt(session, user.id, project.id)
    if attempt is None:
        raise NotFound("You have no open qualification attempt on this project.")
    return attempt_view(qualification.finish_attempt(session, user, attempt, seconds=body.seconds))


@router.get("/judgments/{judgment_id}/practice-feedback")
def practice_feedback(judgment_id: int, session: DbSession, user: CurrentUser) -> dict[str, Any]:
    judgment = judgment_or_404(session, judgment_id)
    require_member(session, user, session.get_one(Project, judgment.project_id))
    return qualification.practice_feedback(session, user, judgment)


@router.post("/flags/{flag_id}/close")
def close_flag(flag_id: int, body: NoteIn, session: DbSession, user: CurrentUser) -> dict[str, Any]:
    row = flags.close_flag(session, user, flags.get_flag(session, flag_id), body.note)
    return flag_view(row)
