"""Leaderboards from stored judgments, on SQLite and PostgreSQL, and who may see them.

Also the builders ``test_weakness.py`` uses: tasks with candidates of named sources, items and
judgments written as rows.
"""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy.orm import Session

from codejury.db.models import Membership
from codejury.errors import InvalidInput
from codejury.report.store import project_leaderboards
from support.builders import duel, make_project, make_user, noise, three_models
from support.studio import Studio

pytestmark = pytest.mark.db
_keys = itertools.count(1)


def test_models_ranked_from_human_judgments_only(db: Session) -> None:
    project = make_project(db)
    user = make_user(db, project)
    three_models(db, project, user.id)
    noise(db, project, user.id)
    [board] = project_leaderboards(db, project.slug, rounds=100, seed=0)
    assert board.slice == "all"
    assert board.models == ["A", "B", "C"]
    assert [r.rank for r in board.ratings] == [1, 2, 3]
    a = board.ratings[0]
    assert (a.wins, a.losses, a.ties) == (21, 2, 1)
    assert board.comparisons == 36
    assert board.win_rates[0][1] == pytest.approx(10 / 12)
    assert board.win_rates[0][2] == pytest.approx(11.5 / 12)


def test_synthetic_candidates_only_when_asked(db: Session) -> None:
    project = make_project(db)
    user = make_user(db, project)
    three_models(db, project, user.id)
    noise(db, project, user.id)
    [board] = project_leaderboards(db, project, rounds=20, include_synthetic=True)
    assert board.models[0] == "mutant"
    assert board.games[0][board.models.index("A")] == 5


def test_grouped_by_language_kind_and_tag(db: Session) -> None:
    project = make_project(db)
    user = make_user(db, project)
    three_models(db, project, user.id)
    duel(db, project, user.id, "C", "A", tags={"difficulty": ["hard", "easy"]})
    boards = project_leaderboards(db, project, by="language", rounds=20)
    assert [(b.slice, b.comparisons) for b in boards] == [("python", 25), ("rust", 12)]
    by_tag = {b.slice: b for b in project_leaderboards(db, project, by="difficulty", rounds=20)}
    assert set(by_tag) == {"(none)", "easy", "hard"}
    assert by_tag["hard"].models == ["C", "A"] and by_tag["hard"].comparisons == 1
    [kind] = project_leaderboards(db, project, by="kind", rounds=20)
    assert kind.slice == "completion" and kind.comparisons == 37


def test_same_seed_same_numbers_and_more_judgments_narrow_every_interval(db: Session) -> None:
    project = make_project(db)
    user = make_user(db, project)
    three_models(db, project, user.id)
    first = project_leaderboards(db, project, rounds=200, seed=5)[0]
    again = project_leaderboards(db, project, rounds=200, seed=5)[0]
    assert again.as_dict() == first.as_dict()
    three_models(db, project, user.id, times=3)  # 4× the judgments in all
    grown = project_leaderboards(db, project, rounds=200, seed=5)[0]
    assert grown.comparisons == 4 * first.comparisons
    before = {r.name: r.high - r.low for r in first.ratings}
    for r in grown.ratings:
        assert r.high - r.low < before[r.name], r.name


def test_too_many_rounds_refused(db: Session) -> None:
    project = make_project(db)
    with pytest.raises(InvalidInput):
        project_leaderboards(db, project, rounds=10_000)


# --- through the app -----------------------------------------------------------------------------

EVIL = "<script>alert('x')</script>"


@pytest.fixture
def reports_world(studio: Studio) -> dict[str, dict[str, str]]:
    manager, h_manager = studio.user("boss@example.org", "manager")
    annotator, h_ann = studio.user("one@example.org")
    with studio.db.session() as s:
        project = make_project(s, slug="rp")
        s.add_all([Membership(project_id=project.id, user_id=u.id) for u in (manager, annotator)])
        three_models(s, project, annotator.id)
        duel(s, project, annotator.id, EVIL, "A")
        s.commit()
    return {"manager": h_manager, "annotator": h_ann}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/projects/rp/leaderboard",
        "/api/v1/projects/rp/weakness?model=A",
        "/projects/rp/leaderboard",
        "/projects/rp/weakness",
    ],
)
def test_annotators_may_not_see_reports(
    studio: Studio, reports_world: dict[str, dict[str, str]], path: str
) -> None:
    r = studio.client.get(path, headers=reports_world["annotator"])
    assert r.status_code == 403, r.text
    assert studio.client.get(path, headers=reports_world["manager"]).status_code == 200


def test_leaderboard_api_and_page(studio: Studio, reports_world: dict[str, dict[str, str]]) -> None:
    headers = reports_world["manager"]
    r = studio.client.get("/api/v1/projects/rp/leaderboard?seed=3&rounds=50", headers=headers)
    body = r.json()
    [board] = body["slices"]
    models = {m["model"]: m for m in board["models"]}
    assert set(models) == {"A", "B", "C", EVIL}
    assert models["A"]["rank"] == 1 and models["C"]["rank"] == 3
    assert board["matrix"]["models"] == [m["model"] for m in board["models"]]
    assert board["seed"] == 3 and board["rounds"] == 50
    again = studio.client.get("/api/v1/projects/rp/leaderboard?seed=3&rounds=50", headers=headers)
    assert again.json() == body
    by = studio.client.get("/api/v1/projects/rp/leaderboard?by=language&rounds=10", headers=headers)
    assert [s["slice"] for s in by.json()["slices"]] == ["python", "rust"]
    assert (
        studio.client.get(
            "/api/v1/projects/rp/leaderboard?rounds=99999", headers=headers
        ).status_code
        == 422
    )
    page = studio.client.get("/projects/rp/leaderboard?by=language", headers=headers)
    assert page.status_code == 200
    assert "<svg" in page.text and "<circle" in page.text
    assert EVIL not in page.text and "&lt;script&gt;" in page.text
