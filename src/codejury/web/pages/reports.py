"""Manager pages: the model leaderboard (strengths with interval bars, win-rate heatmap) and one
model's weakness report with the next-round plan. Their JSON twins live in ``web/api/reports.py``.

Chart geometry is computed here as plain numbers; every name reaches the page through autoescaped
templates, since model names are untrusted text.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from codejury.report.leaderboard import Leaderboard
from codejury.report.store import MAX_ROUNDS, model_sources, model_weakness, project_leaderboards
from codejury.web.api.projects import project_for
from codejury.web.deps import CurrentUser, DbSession
from codejury.web.templating import render

router = APIRouter(include_in_schema=False)

CHART_WIDTH = 640
LABEL_WIDTH = 180
ROW_HEIGHT = 26


def _scale(low: float, high: float) -> tuple[float, float]:
    """Axis range covering every interval and 0, padded a little."""
    pad = max((high - low) * 0.05, 0.1)
    return min(low, 0.0) - pad, max(high, 0.0) + pad


def chart(board: Leaderboard) -> dict[str, Any]:
    """SVG coordinates: one row per model (point at the strength, bar over the interval)."""
    if not board.ratings:
        return {"rows": [], "height": 0}
    lo, hi = _scale(min(r.low for r in board.ratings), max(r.high for r in board.ratings))
    span = CHART_WIDTH - LABEL_WIDTH - 20

    def x(value: float) -> float:
        return round(LABEL_WIDTH + (value - lo) / (hi - lo) * span, 1)

    rows = [
        {
            "rating": r,
            "y": 20 + i * ROW_HEIGHT,
            "x_low": x(r.low),
            "x_high": x(r.high),
            "x": x(r.strength),
        }
        for i, r in enumerate(board.ratings)
    ]
    ticks = [t / 2 for t in range(int(lo * 2) - 1, int(hi * 2) + 2) if lo <= t / 2 <= hi]
    return {
        "rows": rows,
        "height": 40 + len(rows) * ROW_HEIGHT,
        "width": CHART_WIDTH,
        "zero": x(0.0),
        "ticks": [{"x": x(t), "label": f"{t:+.1f}"} for t in ticks],
        "axis_y": 10 + len(rows) * ROW_HEIGHT,
    }


def heat(rate: float | None) -> str:
    """Cell colour from red (0) through yellow to green (1); a fixed grey when unplayed."""
    if rate is None:
        return "background: #f1f1f1"
    return f"background: hsl({round(rate * 120)}, 70%, 82%)"


@router.get("/projects/{slug}/leaderboard")
def leaderboard_page(
    request: Request,
    slug: str,
    session: DbSession,
    user: CurrentUser,
    by: str = Query("", max_length=100),
    seed: int = 0,
    rounds: int = Query(200, ge=0, le=MAX_ROUNDS),
    include_synthetic: bool = False,
) -> Response:
    project = project_for(session, user, slug, manage=True)
    boards = project_leaderboards(
        session,
        project,
        by=by or None,
        rounds=rounds,
        seed=seed,
        include_synthetic=include_synthetic,
    )
    context = {
        "project": project,
        "boards": [{"board": b, "chart": chart(b)} for b in boards],
        "by": by,
        "seed": seed,
        "rounds": rounds,
        "include_synthetic": include_synthetic,
        "heat": heat,
    }
    return render(request, "reports/leaderboard.html", context)


@router.get("/projects/{slug}/weakness")
def weakness_page(
    request: Request,
    slug: str,
    session: DbSession,
    user: CurrentUser,
    model: str = Query("", max_length=200),
    budget: int = Query(500, ge=0, le=1_000_000),
    min_judgments: int = Query(30, ge=0),
) -> Response:
    project = project_for(session, user, slug, manage=True)
    models = model_sources(session, project)
    chosen = model or (models[0] if models else "")
    report = None
    if chosen:
        report = model_weakness(
            session, project, chosen, budget=budget, min_judgments=min_judgments
        )
    context = {
        "project": project,
        "models": models,
        "model": chosen,
        "budget": budget,
        "min_judgments": min_judgments,
        "report": report,
    }
    return render(request, "reports/weakness.html", context)
