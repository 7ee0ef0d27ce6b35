"""JSON twins of the manager's progress and audit pages (``/api/v1/projects/{slug}/...``)."""

from __future__ import annotations

import pytest

from codejury.accounts import add_member, get_user_by_email
from codejury.projects import create_project, update_settings
from support.builders import make_items
from support.studio import Studio

pytestmark = pytest.mark.db


def _project(studio: Studio, emails: list[str]) -> str:
    with studio.db.session() as s:
        project = create_project(s, "twin", overlap=1)
        items = make_items(s, project, 3, commit=False)
        items[0].is_gold = True
        items[0].gold_answer = {"ranking": sorted(items[0].candidate_ids), "strength": 1}
        s.commit()
        update_settings(s, project, contact="ops@example.org")
        for email in emails:
            user = get_user_by_email(s, email)
            assert user is not None
            add_member(s, project, user, None)
    return "twin"


def test_progress_json_matches_items_and_gold_pool(studio: Studio) -> None:
    _, boss = studio.user("boss@example.org", "manager")
    _, ann = studio.user("ann@example.org")
    slug = _project(studio, ["boss@example.org", "ann@example.org"])
    c = studio.client
    assert c.get(f"/api/v1/projects/{slug}/progress", headers=ann).status_code == 403
    assert c.get("/api/v1/projects/nope/progress", headers=boss).status_code == 404
    got = c.get(f"/api/v1/projects/{slug}/progress", headers=boss)
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["progress"]["items"]["open"] == 2 and body["progress"]["gold_items"] == 1
    assert len(body["progress"]["judgments_per_hour"]) == 24
    assert body["gold_pool"]["total"] == 1 and set(body["gold_pool"]) == {
        "total",
        "min_unseen",
        "low",
    }


def test_audit_json_lists_project_events_newest_first_with_paging(studio: Studio) -> None:
    _, boss = studio.user("boss@example.org", "manager")
    _, ann = studio.user("ann@example.org")
    slug = _project(studio, ["boss@example.org", "ann@example.org"])
    c = studio.client
    assert c.get(f"/api/v1/projects/{slug}/audit", headers=ann).status_code == 403
    events = c.get(f"/api/v1/projects/{slug}/audit", headers=boss).json()
    actions = [e["action"] for e in events]
    assert actions and "project.settings" in actions
    assert [e["id"] for e in events] == sorted((e["id"] for e in events), reverse=True)
    assert {e["actor"] for e in events} == {"cli"}
    assert {e["via"] for e in events} == {None}  # written by Python code, outside any channel
    first = c.get(f"/api/v1/projects/{slug}/audit?limit=1", headers=boss).json()
    assert [e["id"] for e in first] == [events[0]["id"]]
    rest = c.get(f"/api/v1/projects/{slug}/audit?before={first[0]['id']}", headers=boss).json()
    assert [e["id"] for e in rest] == [e["id"] for e in events[1:]]
    assert c.get(f"/api/v1/projects/{slug}/audit?limit=0", headers=boss).status_code == 422
