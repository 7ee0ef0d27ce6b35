"""Contesting a missed gold answer again after a ruling, from "My reviews" (cookie session and its
CSRF token), what the page says when it cannot be contested, and what has nothing to contest."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from codejury.db.models import GoldContest, Item, Project, User
from codejury.errors import Conflict
from codejury.quality.contests import contest_gold, contest_refusal, gold_misses
from codejury.quality.store import gold_results
from functional.test_pages import _login, _token
from functional.test_quality_pages_more import _project
from functional.test_quality_store import add_judgment
from support.builders import make_items, make_project, make_user
from support.studio import Studio

pytestmark = pytest.mark.db


def _missed(studio: Studio, ann: User) -> tuple[int, int, list[int]]:
    """A gold item answered wrongly by ``ann``: (judgment id, item id, the gold ranking)."""
    with studio.db.session() as s:
        item = s.scalars(select(Item).where(Item.is_gold.is_(True)).order_by(Item.id)).first()
        assert item is not None and item.gold_answer is not None
        a, b = item.gold_answer["ranking"]
        judgment = add_judgment(s, s.get_one(User, ann.id), item, [b, a], 1)
        s.commit()
        return judgment.id, item.id, [a, b]


def _miss(html: str, judgment_id: int) -> str:
    """The page's block for one missed answer."""
    start = html.index(f'id="miss-{judgment_id}"')
    return html[start : html.index("</div>", start)]


def _contest_ids(studio: Studio) -> list[tuple[int, str]]:
    with studio.db.session() as s:
        rows = s.scalars(select(GoldContest).order_by(GoldContest.id))
        return [(c.id, c.status) for c in rows]


def test_contest_again_after_an_upheld_ruling(studio: Studio) -> None:
    boss, hb = studio.user("boss@example.org", "manager")
    ann, _ = studio.user("ann@example.org")
    slug = _project(studio, [boss, ann], "work")
    wrong, _, _ = _missed(studio, ann)
    token = _login(studio, "ann@example.org")  # ann uses the pages with her session cookie
    c = studio.client
    page = c.get("/me/reviews").text
    assert "Contest this answer" in _miss(page, wrong) and _token(page) == token
    first = {"message": "B handles the empty list."}
    assert c.post(f"/judgments/{wrong}/contest", data=first).status_code == 403  # no CSRF token
    sent = c.post(
        f"/judgments/{wrong}/contest", data=first | {"csrf_token": token}, follow_redirects=False
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/me/reviews?notice=saved#miss-{wrong}"

    block = _miss(c.get("/me/reviews").text, wrong)
    assert "contest-form" not in block and "B handles the empty list." in block
    assert "already has an open contest" in block  # why there is no form
    refused = c.post(f"/judgments/{wrong}/contest", data={"message": "More.", "csrf_token": token})
    assert refused.status_code == 409 and "already has an open contest" in refused.text
    [(first_id, status)] = _contest_ids(studio)
    assert status == "open"

    ruled = c.post(
        f"/api/v1/contests/{first_id}/decision",
        json={"upheld": True, "note": "A is right: B crashes on None."},
        headers=hb,
    )
    assert ruled.status_code == 200, ruled.text
    block = _miss(c.get("/me/reviews").text, wrong)
    assert "upheld" in block and "A is right: B crashes on None." in block
    assert "Contest again" in block and "What is new" in block
    api = c.get("/api/v1/me/gold-misses").json()
    assert [(m["judgment_id"], m["can_contest"], m["refusal"]) for m in api] == [
        (wrong, True, None)
    ]

    again = {"message": "None is never passed: the prompt says a list.", "csrf_token": token}
    assert c.post(f"/judgments/{wrong}/contest", data=again).status_code == 200  # to the page
    assert [status for _, status in _contest_ids(studio)] == ["upheld", "open"]
    block = _miss(c.get("/me/reviews").text, wrong)
    assert block.count('class="contest-state"') == 2 and "contest-form" not in block
    assert "None is never passed" in block
    with studio.db.session() as s:  # left out of her gold accuracy again until the new ruling
        project = s.scalars(select(Project).where(Project.slug == slug)).one()
        results = gold_results(s, project, user_id=ann.id)
        assert [r.contest for r in results] == ["open"]
    [miss] = c.get("/api/v1/me/gold-misses").json()
    assert miss["can_contest"] is False and "open contest" in miss["refusal"]
    assert [x["status"] for x in miss["contests"]] == ["upheld", "open"]

    second_id = _contest_ids(studio)[1][0]
    upheld = {"upheld": True, "note": "The prompt allows None."}
    assert c.post(f"/api/v1/contests/{second_id}/decision", json=upheld, headers=hb).is_success
    block = _miss(c.get("/me/reviews").text, wrong)
    assert "contest-form" not in block and "the ruling stands" in block
    third = {"message": "Once more.", "csrf_token": token}
    refused = c.post(f"/judgments/{wrong}/contest", data=third)
    assert refused.status_code == 409 and "contested 2 times" in refused.text


def test_no_contest_again_once_the_answer_is_corrected(studio: Studio) -> None:
    boss, hb = studio.user("boss@example.org", "manager")
    ann, ha = studio.user("ann@example.org")
    _project(studio, [boss, ann], "work")
    wrong, item_id, (a, b) = _missed(studio, ann)
    c = studio.client
    made = c.post(f"/api/v1/judgments/{wrong}/contest", json={"message": "B is right."}, headers=ha)
    assert made.status_code == 201
    ruled = c.post(
        f"/api/v1/contests/{made.json()['id']}/decision",
        json={"upheld": False, "note": "Yes, B is right.", "corrected_answer": {"ranking": [b, a]}},
        headers=hb,
    )
    assert ruled.status_code == 200, ruled.text

    token = _login(studio, "ann@example.org")
    page = c.get("/me/reviews").text
    assert f'id="miss-{wrong}"' not in page and "No missed gold answers." in page
    others = page[page.index('id="earlier-contests"') :]
    assert "overturned" in others and "Yes, B is right." in others
    assert "contest-form" not in page
    refused = c.post(f"/judgments/{wrong}/contest", data={"message": "Again!", "csrf_token": token})
    assert refused.status_code == 409
    assert "matches the gold answer; there is nothing to contest" in refused.text
    assert c.get("/api/v1/me/gold-misses").json() == []
    assert [x["status"] for x in c.get("/api/v1/me/contests").json()] == ["overturned"]
    with studio.db.session() as s:
        assert s.get_one(Item, item_id).gold_answer["ranking"] == [b, a]


def test_skips_and_revised_judgments_have_nothing_to_contest(db: Session) -> None:
    project = make_project(db)
    ann = make_user(db, project)
    (item,) = make_items(db, project, 1, is_gold=True, commit=False)
    a, b = sorted(int(c) for c in item.candidate_ids)
    item.gold_answer = {"ranking": [a, b], "strength": 1}
    skipped = add_judgment(db, ann, item, None, None, counted=False, skip_reason="unclear_prompt")
    revised = add_judgment(db, ann, item, [b, a], 1, counted=False, superseded=True)
    newest = add_judgment(db, ann, item, [b, a], 1)
    db.commit()
    for judgment, why in ((skipped, "no answer"), (revised, "was revised")):
        refusal = contest_refusal(db, ann, judgment)
        assert isinstance(refusal, Conflict) and why in str(refusal)
        with pytest.raises(Conflict, match=why):
            contest_gold(db, ann, judgment, "the answer is wrong")
    assert contest_refusal(db, ann, newest) is None
    assert [m["judgment_id"] for m in gold_misses(db, ann)] == [newest.id]
