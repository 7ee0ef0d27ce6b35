"""Wellbeing and transparency pages: the annotator's dashboard (``/me``) with their opt-in form,
their impact page, the register of automated decisions, and the manager's pay and transparency
pages of a project. Each has a JSON twin in ``web/api/wellbeing.py`` or ``web/api/pay.py``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from codejury.web.api.projects import project_for
from codejury.web.deps import CurrentUser, DbSession
from codejury.web.pages.common import redirect
from codejury.web.templating import render
from codejury.wellbeing.dashboard import annotator_dashboard
from codejury.wellbeing.impact import impact_of
from codejury.wellbeing.project_pay import pay_overview, project_transparency
from codejury.wellbeing.register import decision_register
from codejury.wellbeing.store import set_opt_ins

router = APIRouter(include_in_schema=False)
CHART_W, CHART_H, PAD = 560, 180, 30


@router.get("/me")
def dashboard(request: Request, session: DbSession, user: CurrentUser) -> Response:
    return render(request, "dashboard/me.html", {"d": annotator_dashboard(session, user)})


@router.post("/me/opt-ins")
async def opt_ins(request: Request, session: DbSession, user: CurrentUser) -> Response:
    form = await request.form()
    labels = [str(v) for v in form.getlist("label")]
    extra = str(form.get("other") or "")
    labels += [x.strip() for x in extra.split(",") if x.strip()]
    set_opt_ins(session, user, labels)
    return redirect("/me#opt-ins", "saved")


@router.get("/me/impact")
def impact(request: Request, session: DbSession, user: CurrentUser) -> Response:
    return render(request, "dashboard/impact.html", {"exports": impact_of(session, user)})


@router.get("/decisions")
def decisions(request: Request, user: CurrentUser) -> Response:
    return render(request, "dashboard/decisions.html", {"decisions": decision_register()})


def histogram_bars(bins: list[tuple[Decimal, Decimal, int]]) -> list[dict[str, Any]]:
    """SVG bars (numbers only) for the effective hourly histogram."""
    top = max((n for _, _, n in bins), default=0) or 1
    step = (CHART_W - 2 * PAD) / max(len(bins), 1)
    bars = []
    for i, (low, high, n) in enumerate(bins):
        height = round((CHART_H - 2 * PAD) * n / top, 1)
        bars.append(
            {
                "x": round(PAD + i * step + 2, 1),
                "y": round(CHART_H - PAD - height, 1),
                "w": round(max(step - 4, 1), 1),
                "h": height,
                "n": n,
                "label": f"{low}–{high}",
            }
        )
    return bars


@router.get("/projects/{slug}/pay")
def pay_page(request: Request, slug: str, session: DbSession, user: CurrentUser) -> Response:
    project = project_for(session, user, slug, manage=True)
    view = pay_overview(session, project)
    context = {
        "project": project,
        "v": view,
        "bars": histogram_bars(view.histogram),
        "chart": {"w": CHART_W, "h": CHART_H, "pad": PAD},
    }
    return render(request, "dashboard/pay.html", context)


@router.get("/projects/{slug}/transparency")
def transparency(request: Request, slug: str, session: DbSession, user: CurrentUser) -> Response:
    project = project_for(session, user, slug, manage=True)
    report = project_transparency(session, project)
    return render(request, "dashboard/transparency.html", {"project": project, "r": report})
