"""Quality figures from stored rows: agreement equals krippendorff's, consensus, flags, gold.

Also holds ``add_judgment``, shared by the other ``test_quality_*`` modules.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import krippendorff
import numpy as np
import pytest
from sqlalchemy.orm import Session

from codejury.db.models import Flag, Item, Judgment, User
from codejury.quality.review import review_judgment
from codejury.quality.store import item_consensus, project_quality, refresh_flags
from support.builders import make_items, make_project, make_user

pytestmark = pytest.mark.db
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def add_judgment(
    session: Session,
    user: User,
    item: Item,
    ranking: list[int] | None,
    strength: int | None = 1,
    *,
    counted: bool = True,
    at: datetime = T0,
    **fields: Any,
) -> Judgment:
    """A stored judgment as the intake leaves it (counted ones take a slot on the item)."""
    row = Judgment(
        item_id=item.id,
        project_id=item.project_id,
        user_id=user.id,
        ranking=ranking,
        strength=strength,
        shown_order=list(item.candidate_ids),
        idempotency_key=uuid.uuid4().hex,
        counted=counted,
        created_at=at,
        active_seconds=fields.pop("active_seconds", 30.0),
        **fields,
    )
    if counted:
        item.counted += 1
    session.add(row)
    session.flush()
    return row


def _signed(ids: list[int], ranking: list[int], strength: int) -> int:
    if strength == 0:
        return 0
    return strength if ranking[0] == min(ids) else -strength


def test_agreement_equals_krippendorff_on_stored_rows(db: Session) -> None:
    rng = random.Random(7)
    project = make_project(db, overlap=4)
    users = [make_user(db, project) for _ in range(4)]
    items = make_items(db, project, 8)
    matrix = np.full((4, 8), np.nan)
    labels = np.full((4, 8), np.nan)
    rubric = np.full((4, 16), np.nan)
    for u, user in enumerate(users):
        for i, item in enumerate(items):
            if rng.random() < 0.2:
                continue
            ids = [int(c) for c in item.candidate_ids]
            ranking = rng.sample(ids, 2)
            strength = rng.choice([0, 1, 1, 2])
            score = rng.randint(1, 5)
            add_judgment(db, user, item, ranking, strength, ratings={str(ids[0]): {"c": score}})
            matrix[u, i] = _signed(ids, ranking, strength)
            labels[u, i] = 1 if strength == 0 else (0 if ranking[0] == min(ids) else 2)
            rubric[u, 2 * i] = score
    # rows that must not count: rejected, uncounted, superseded, a model judge, a skip
    extra = make_user(db, project)
    add_judgment(db, extra, items[0], list(items[0].candidate_ids), 2, status="rejected")
    add_judgment(db, extra, items[1], list(items[1].candidate_ids), 2, counted=False)
    add_judgment(db, extra, items[2], list(items[2].candidate_ids), 2, superseded=True)
    add_judgment(db, extra, items[3], list(items[3].candidate_ids), 2, judge_kind="model")
    add_judgment(db, extra, items[4], None, None, skip_reason="other")
    db.commit()

    report = project_quality(db, project)
    expected = krippendorff.alpha(
        reliability_data=matrix, level_of_measurement="ordinal", value_domain=[-2, -1, 0, 1, 2]
    )
    nominal = krippendorff.alpha(
        reliability_data=labels, level_of_measurement="nominal", value_domain=[0, 1, 2]
    )
    assert report.preference_ordinal.alpha == pytest.approx(expected)
    assert report.preference_nominal.alpha == pytest.approx(nominal)
    assert report.rubric["c"].alpha == pytest.approx(
        krippendorff.alpha(reliability_data=rubric, level_of_measurement="ordinal")
    )
    assert report.preference_ordinal.units == int((np.sum(~np.isnan(matrix), axis=0) >= 2).sum())
    assert report.judges == 4 and report.judgments == int(np.sum(~np.isnan(matrix)))
    assert report.consensus_method == "majority_vote"  # 4 judges, but fewer than 10 shared pairs


def test_rejected_judgment_leaves_consensus_and_frees_its_slot(db: Session) -> None:
    project = make_project(db, overlap=2)
    manager = make_user(db, project, role="manager")
    ann, other = make_user(db, project), make_user(db, project)
    (item,) = make_items(db, project, 1)
    a, b = (int(c) for c in item.candidate_ids)
    bad = add_judgment(db, ann, item, [a, b], 2)
    add_judgment(db, other, item, [b, a], 1)
    db.commit()
    before = item_consensus(db, project)[item.id]
    assert before.votes == 2

    review_judgment(db, manager, bad, "reject", "ignored_guidelines", "Rule 3: run it first.")
    after = item_consensus(db, project)[item.id]
    assert after.votes == 1 and after.pairs[0].label == "second"  # only b > a is left
    db.refresh(item)
    assert item.counted == 1 and bad.counted is False and bad.status == "rejected"


def test_flags_are_stored_once_while_open(db: Session) -> None:
    project = make_project(db, overlap=3)
    fast, calm = make_user(db, project), make_user(db, project)
    for item in make_items(db, project, 6):
        ids = list(item.candidate_ids)
        add_judgment(db, fast, item, ids, 1, active_seconds=2.0)
        add_judgment(db, calm, item, ids, 1, active_seconds=60.0)
    db.commit()
    added = refresh_flags(db, project, now=T0)
    assert [(f.user_id, f.kind) for f in added] == [(fast.id, "too_fast")]
    assert added[0].evidence["median_seconds"] == 2.0
    assert refresh_flags(db, project, now=T0) == []
    added[0].status = "closed"
    db.commit()
    again = refresh_flags(db, project, now=T0 + timedelta(days=1))
    assert [(f.user_id, f.kind) for f in again] == [(fast.id, "too_fast")]
    assert db.query(Flag).filter(Flag.project_id == project.id).count() == 2


def test_gold_accuracy_and_weekly_figures_in_report(db: Session) -> None:
    project = make_project(db)
    ann = make_user(db, project)
    golds = make_items(db, project, 4, is_gold=True)
    for n, item in enumerate(golds):
        a, b = (int(c) for c in item.candidate_ids)
        item.gold_answer = {"ranking": [a, b], "strength": 1, "reason": "a passes the tests"}
        answer = [a, b] if n < 3 else [b, a]
        add_judgment(db, ann, item, answer, 2, at=T0 + timedelta(days=7 * (n // 2)))
    db.commit()
    report = project_quality(db, project)
    (row,) = report.gold
    assert (row.correct, row.n) == (3, 4) and 0 < row.low < 0.75 < row.high <= 1
    assert [(w.correct, w.n) for w in report.gold_by_week] == [(2, 2), (1, 2)]


def test_a_skipped_gold_item_is_no_wrong_answer(db: Session) -> None:
    from codejury.assign import JudgmentIn, Lease, next_item_for, submit_judgment
    from codejury.quality.store import gold_results

    project = make_project(db, gold_rate=1.0)
    make_items(db, project, 1)
    (gold,) = make_items(db, project, 1, commit=False)
    gold.is_gold = True
    gold.gold_answer = {"ranking": list(gold.candidate_ids), "strength": 1, "reason": "a wins"}
    user = make_user(db, project)
    db.commit()
    lease = next_item_for(db, user, project)
    assert isinstance(lease, Lease) and lease.item_id == gold.id
    skip = JudgmentIn(skip_reason="unclear_prompt")
    submit_judgment(db, user, lease.assignment_id, skip, idempotency_key=uuid.uuid4().hex)

    assert gold_results(db, project, user.id) == []
