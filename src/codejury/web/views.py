"""What pages and the API show of an item: built once here so both show the same thing.

An annotator's view never includes whether an item is gold, its answer, or candidates' sources
(those would bias the judgment); candidates appear under letters in the assignment's display order.
"""

from __future__ import annotations

import string
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from codejury.assign.leases import own_assignment
from codejury.db.models import (
    Assignment,
    Candidate,
    GuidelineVersion,
    Item,
    Judgment,
    Project,
    RubricVersion,
    Task,
    User,
)
from codejury.errors import NotFound


def evidence(candidate: Candidate) -> dict[str, Any] | None:
    """The execution evidence shown beside a candidate (bounded excerpts only)."""
    result = candidate.exec_result
    if candidate.exec_status is None or result is None:
        return None
    failure = result.get("first_failure") or None
    return {
        "status": candidate.exec_status,
        "tests_passed": result.get("tests_passed"),
        "tests_total": result.get("tests_total"),
        "first_failure": failure,
        "message": (result.get("message") or "")[:2000],
        "stderr": (result.get("stderr") or "")[-2000:],
        "duration_s": result.get("duration_s"),
    }


def assignment_view(session: Session, user: User, assignment_id: int) -> dict[str, Any]:
    assignment = own_assignment(session, user, assignment_id)
    return lease_view(session, assignment)


def lease_view(session: Session, assignment: Assignment) -> dict[str, Any]:
    view = item_view(
        session,
        assignment.item_id,
        assignment.display_order,
        assignment.rubric_version,
        assignment.guideline_version,
    )
    return {
        "assignment_id": assignment.id,
        **view,
        "state": assignment.state,
        "leased_at": assignment.leased_at.isoformat(),
        "expires_at": assignment.expires_at.isoformat(),
    }


def judgment_item_view(session: Session, judgment: Judgment) -> dict[str, Any]:
    """The item as the judgment's author was shown it: the same letters in the same order (the
    assignment's display order, kept as ``shown_order``) and the same rubric version."""
    return item_view(
        session,
        judgment.item_id,
        judgment.shown_order,
        judgment.rubric_version,
        judgment.guideline_version,
    )


def item_view(
    session: Session,
    item_id: int,
    display_order: list[Any],
    rubric_version: int | None,
    guideline_version: int | None,
) -> dict[str, Any]:
    """An item in one display order, under one rubric and guideline version."""
    item = session.get(Item, item_id)
    if item is None:
        raise NotFound(f"item {item_id} is gone")
    task = session.get(Task, item.task_id)
    project = session.get(Project, item.project_id)
    assert task is not None and project is not None
    by_id = {
        c.id: c
        for c in session.scalars(select(Candidate).where(Candidate.id.in_(item.candidate_ids)))
    }
    rubric = session.scalar(
        select(RubricVersion).where(
            RubricVersion.project_id == project.id,
            RubricVersion.version == rubric_version,
        )
    )
    guidelines = session.scalar(
        select(GuidelineVersion.version)
        .where(GuidelineVersion.project_id == project.id)
        .order_by(GuidelineVersion.version.desc())
        .limit(1)
    )
    show_evidence = not project.hide_evidence
    # Synthetic (mutated) candidates are labelled only where the project asks (the demo does).
    label_synthetic = bool((project.settings or {}).get("label_synthetic"))
    candidates = []
    for label, cid in zip(string.ascii_uppercase, display_order, strict=False):
        cand = by_id[int(cid)]
        candidates.append(
            {
                "id": cand.id,
                "label": label,
                "content": cand.content,
                "structured": cand.structured,
                "synthetic": label_synthetic and cand.synthetic,
                "evidence": evidence(cand) if show_evidence else None,
            }
        )
    return {
        "item_id": item.id,
        "project": project.slug,
        "mode": project.mode,
        "task": {
            "external_id": task.external_id,
            "prompt": task.prompt,
            "kind": task.kind,
            "language": task.language,
            "tags": task.tags,
        },
        "candidates": candidates,
        "evidence_hidden": not show_evidence,
        "rubric": {
            "version": rubric_version,
            "criteria": rubric.criteria if rubric else [],
        },
        "guideline_version": guideline_version,
        "guidelines_changed": guidelines is not None and guidelines != guideline_version,
    }
