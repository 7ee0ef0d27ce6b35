"""Quality pages: the manager's report with charts, the review queue, appeals; "My reviews".

Charts are inline SVG drawn by the template from coordinates computed here (numbers only, so
nothing user-written reaches the SVG unescaped). Forms post with the session's CSRF token and
come back to the page they were sent from.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from codejury.assign.judgments import MESSAGES
from codejury.db.base import utcnow
from codejury.db.models import GoldContest, Item, Judgment, User
from codejury.errors import InvalidInput, NotFound
from codejury.quality import contests, flags, qualification, review
from codejury.quality.report import QualityReport
from codejury.quality.store import open_flags, project_quality, review_queue
from codejury.web.api.projects import project_for
from codejury.web.api.quality import judgment_or_404, qualification_summary
from codejury.web.deps import AppSettings, CurrentUser, DbSession
from codejury.web.pages.common import form_str, redirect, safe_next
from codejury.web.templating import render

router = APIRouter(include_in_schema=False)
CHART_W, CHART_H, PAD = 560, 180, 30
REVISED = MESSAGES["revised"]


def _y(value: float, low: float = 0.0, high: float = 1.0) -> float:
    """SVG y of a value on the chart's vertical scale (top = ``high``)."""
    span = (high - low) or 1.0
    return round(PAD + (CHART_H - 2 * PAD) * (high - value) / span, 1)


def agreement_chart(report: QualityReport) -> dict[str, Any]:
    """Nominal alpha per week on a −1..1 scale, with the weeks' sample sizes."""
    weeks = [w for w in report.agreement_by_week if w.nominal.alpha is not None]
    step = (CHART_W - 2 * PAD) / max(len(weeks) - 1, 1)
    points = [
        {
            "x": round(PAD + i * step, 1),
            "y": _y(float(w.nominal.alpha or 0.0), -1.0, 1.0),
            "label": w.week.isoformat(),
            "alpha": w.nominal.alpha,
            "units": w.nominal.units,
        }
        for i, w in enumerate(weeks)
    ]
    line = " ".join(f"{p['x']},{p['y']}" for p in points)
    return {"points": points, "line": line, "zero": _y(0.0, -1.0, 1.0)}


def gold_chart(report: QualityReport) -> list[dict[str, Any]]:
    """One bar per annotator: accuracy as a dot, the Wilson interval as a vertical line."""
    rows = [g for g in report.gold if g.n > 0]
    step = (CHART_W - 2 * PAD) / max(len(rows), 1)
    return [
        {
            "x": round(PAD + (i + 0.5) * step, 1),
            "low": _y(g.low),
            "high": _y(g.high),
            "acc": _y(g.accuracy or 0.0),
            "name": report.names.get(g.worker, str(g.worker)),
            "text": f"{g.correct}/{g.n} ({g.low:.0%}–{g.high:.0%})",
        }
        for i, g in enumerate(rows)
    ]


@router.get("/projects/{slug}/quality")
def quality_page(request: Request, slug: str, session: DbSession, user: CurrentUser) -> Response:
    project = project_for(session, user, slug, manage=True)
    report = project_quality(session, project)
    flags = open_flags(session, project)
    names = report.names | _names(session, {f.user_id for f in flags})
    context = {
        "project": project,
        "report": report,
        "names": names,
        "flags": flags,
        "agreement": agreement_chart(report),
        "gold": gold_chart(report),
        "chart": {"w": CHART_W, "h": CHART_H, "pad": PAD, "y1": _y(1.0), "y0": _y(0.0)},
    }
    return render(request, "quality/report.html", context)


def _names(session: DbSession, ids: set[int]) -> dict[Any, str]:
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.name).where(User.id.in_(sorted(ids))))
    return {i: n for i, n in rows.tuples()}


@router.get("/projects/{slug}/review")
def queue_page(request: Request, slug: str, session: DbSession, user: CurrentUser) -> Response:
    project = project_for(session, user, slug, manage=True)
    entries = review_queue(session, project)
    judgments = {
        j.id: j
        for j in session.scalars(
            select(Judgment).where(Judgment.id.in_([e.judgment_id for e in entries]))
        )
    }
    open_contests = contests.contests_of(session, project)
    ids = {e.user_id for e in entries} | {c.user_id for c in open_contests}
    context = {
        "project": project,
        "entries": entries,
        "judgments": judgments,
        "contests": open_contests,
        "names": _names(session, ids),
        "codes": list(review.REASON_CODES.values()),
    }
    return render(request, "quality/queue.html", context)


def _evidence(text: str) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput("Evidence is not valid JSON.", [f"evidence: {exc.msg}"])
    if not isinstance(value, dict):
        raise InvalidInput("Evidence must be a JSON object.", ['evidence: e.g. {"key": 1}'])
    return value


@router.post("/projects/{slug}/review/{judgment_id}")
async def review_post(
    request: Request, slug: str, judgment_id: int, session: DbSession, user: CurrentUser
) -> Response:
    form = await request.form()
    project = project_for(session, user, slug, manage=True)
    judgment = judgment_or_404(session, judgment_id)
    if judgment.project_id != project.id:
        raise InvalidInput("This judgment belongs to another project.")
    review.review_judgment(
        session,
        user,
        judgment,
        form_str(form, "decision"),
        form_str(form, "reason_code") or None,
        form_str(form, "explanation") or None,
        _evidence(form_str(form, "evidence")),
    )
    return redirect(f"/projects/{slug}/review", "saved")


@router.get("/projects/{slug}/appeals")
def appeals_page(request: Request, slug: str, session: DbSession, user: CurrentUser) -> Response:
    project = project_for(session, user, slug, manage=True)
    rows = review.project_appeals(session, project)
    open_contests = _contest_rows(session, contests.contests_of(session, project))
    ids = {a["user_id"] for a in rows} | {a["review"]["reviewer_id"] for a in rows}
    ids |= {c["contest"].user_id for c in open_contests}
    context = {
        "project": project,
        "appeals": rows,
        "contests": open_contests,
        "names": _names(session, ids),
    }
    return render(request, "quality/appeals.html", context)


def _contest_rows(session: DbSession, rows: list[GoldContest]) -> list[dict[str, Any]]:
    """Each open contest with the judgment it disputes and the item's current gold answer."""
    judgments = {
        j.id: j
        for j in session.scalars(
            select(Judgment).where(Judgment.id.in_([c.judgment_id for c in rows]))
        )
    }
    items = {
        i.id: i
        for i in session.scalars(
            select(Item).where(Item.id.in_([j.item_id for j in judgments.values()]))
        )
    }
    out = []
    for c in rows:
        judgment = judgments[c.judgment_id]
        item = items[judgment.item_id]
        out.append(
            {"contest": c, "judgment": judgment, "item": item, "gold": item.gold_answer or {}}
        )
    return out


def _ranking(text: str) -> list[int]:
    try:
        return [int(part) for part in text.replace(">", ",").split(",") if part.strip()]
    except ValueError:
        raise InvalidInput(
            "The corrected ranking is candidate ids, best first.", ["ranking: e.g. 12, 11"]
        ) from None


@router.post("/contests/{contest_id}/decide")
async def contest_decide(
    request: Request, contest_id: int, session: DbSession, user: CurrentUser
) -> Response:
    form = await request.form()
    upheld = form_str(form, "upheld") == "yes"
    ranking = form_str(form, "ranking")
    ungold = not upheld and form_str(form, "ungold") == "yes"
    corrected = {"ranking": _ranking(ranking)} if ranking and not upheld else None
    contests.decide_contest(
        session,
        user,
        contests.get_contest(session, contest_id),
        upheld=upheld,
        note=form_str(form, "note"),
        corrected_answer=corrected,
        ungold=ungold,
    )
    return redirect(safe_next(form_str(form, "back")), "saved")


@router.post("/appeals/{appeal_id}/decide")
async def appeal_decide(
    request: Request, appeal_id: int, session: DbSession, user: CurrentUser
) -> Response:
    form = await request.form()
    row = review.get_appeal(session, appeal_id)
    grant = form_str(form, "grant") == "yes"
    review.decide_appeal(session, user, row, grant, form_str(form, "note"))
    return redirect(safe_next(form_str(form, "back")), "saved")


@router.get("/me/reviews")
def my_reviews(request: Request, session: DbSession, user: CurrentUser) -> Response:
    rows = review.reviews_of(session, user, now=utcnow())
    misses = contests.gold_misses(session, user)
    shown = {m["judgment_id"] for m in misses}
    earlier = [c for c in contests.contests_by(session, user) if c["judgment_id"] not in shown]
    context = {
        "reviews": rows,
        "misses": misses,
        "earlier_contests": earlier,
        "revised_notice": _revised_notice(request),
    }
    return render(request, "quality/my_reviews.html", context)


def _revised_notice(request: Request) -> str | None:
    """The fixed message the revision page comes back with (``?notice=revised``)."""
    return REVISED if request.query_params.get("notice") == "revised" else None


@router.post("/judgments/{judgment_id}/contest")
async def contest_post(
    request: Request, judgment_id: int, session: DbSession, user: CurrentUser
) -> Response:
    """Contest a missed gold answer, or contest it again after a ruling (the same rule as the
    API: ``contests.contest_refusal``)."""
    form = await request.form()
    judgment = judgment_or_404(session, judgment_id)
    contests.contest_gold(session, user, judgment, form_str(form, "message"))
    return redirect(f"/me/reviews?notice=saved#miss-{judgment.id}")


@router.post("/flags/{flag_id}/close")
async def flag_close(
    request: Request, flag_id: int, session: DbSession, user: CurrentUser
) -> Response:
    form = await request.form()
    flag = flags.get_flag(session, flag_id)
    flags.close_flag(session, user, flag, form_str(form, "note"))
    return redirect(safe_next(form_str(form, "back")), "saved")


@router.get("/projects/{slug}/qualification")
def qualification_page(
    request: Request, slug: str, session: DbSession, user: CurrentUser, settings: AppSettings
) -> Response:
    project = project_for(session, user, slug)
    state = qualification_summary(session, user, project)
    current = qualification.open_attempt(session, user.id, project.id)
    finished = [a for a in state["attempts"] if a["finished_at"] is not None]
    context = {
        "project": project,
        "q": state,
        "current": current,
        "finished": finished[::-1],
        "used": len(finished),
        "can_start": current is None and not state["passed"] and state["attempts_left"] > 0,
        "idle_seconds": settings.idle_seconds,
    }
    return render(request, "quality/qualification.html", context)


@router.post("/projects/{slug}/qualification/start")
def qualification_start(slug: str, session: DbSession, user: CurrentUser) -> Response:
    project = project_for(session, user, slug)
    qualification.start_attempt(session, user, project)
    return redirect(f"/projects/{slug}/judge?purpose=qualification")


def _active_seconds(form: Any) -> float:
    """The ``active_seconds`` field the page's timer fills (timer.js); empty means no report."""
    text = form_str(form, "active_seconds")
    if not text:
        return 0.0
    try:
        return float(text)
    except ValueError:
        raise InvalidInput(
            "The active time sent with the form is not a number.",
            [f"active_seconds: a number of seconds, got {text[:40]!r}"],
        ) from None


@router.post("/projects/{slug}/qualification/finish")
async def qualification_finish(
    request: Request, slug: str, session: DbSession, user: CurrentUser
) -> Response:
    form = await request.form()
    project = project_for(session, user, slug)
    attempt = qualification.open_attempt(session, user.id, project.id)
    if attempt is None:
        raise NotFound("You have no open qualification attempt on this project.")
    seconds = _active_seconds(form)
    qualification.finish_attempt(session, user, attempt, seconds=seconds)
    return redirect(f"/projects/{slug}/qualification#result")


@router.post("/reviews/{review_id}/appeal")
async def appeal_post(
    request: Request, review_id: int, session: DbSession, user: CurrentUser, settings: AppSettings
) -> Response:
    form = await request.form()
    row = review.get_review(session, review_id)
    review.appeal(
        session, user, row, form_str(form, "message"), deadline_days=settings.appeal_deadline_days
    )
    return redirect("/me/reviews", "saved")
