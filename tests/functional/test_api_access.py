"""Who may do what through the API: the authorisation matrix, on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from codejury.accounts import add_member, deactivate, issue_token
from codejury.db.base import utcnow
from codejury.db.models import ApiToken, Candidate, Item, ItemCandidate, Judgment, Task, User
from codejury.projects import create_project, update_settings
from codejury.tasks.importer import import_tasks
from codejury.tasks.schema import TaskIn
from support.studio import Studio

PURPOSE = {"uses": "reward model", "users": "team", "retention": "1 year", "publishable": False}


def _project(studio: Studio, slug: str, members: list[User]) -> None:
    """A published project with one regular item and one gold item (answer: "answer-key-zq7")."""
    with studio.db.session() as s:
        project = create_project(s, slug)
        update_settings(s, project, status="published", purpose=PURPOSE, contact="ops@example.org")
        tasks = [
            TaskIn.model_validate(
                {
                    "external_id": ext,
                    "prompt": "p",
                    "kind": "completion",
                    "language": "python",
                    "candidates": [
                        {"source": "a", "content": f"x = 1 # {ext}"},
                        {"source": "b", "content": f"x = 2 # {ext}"},
                    ],
                }
            )
            for ext in ("regular", "special")
        ]
        import_tasks(s, project, tasks)
        for task in s.scalars(select(Task).where(Task.project_id == project.id)):
            ids = sorted(s.scalars(select(Candidate.id).where(Candidate.task_id == task.id)))
            gold = task.external_id == "special"
            item = Item(
                project_id=project.id,
                task_id=task.id,
                candidate_ids=ids,
                is_gold=gold,
                gold_answer={"ranking": ids, "strength": 2, "reason": "answer-key-zq7"}
                if gold
                else None,
            )
            s.add(item)
            s.flush()
            s.add_all([ItemCandidate(item_id=item.id, candidate_id=c) for c in ids])
        s.commit()
        for m in members:
            add_member(s, project, s.get(User, m.id), None)  # type: ignore[arg-type]


@pytest.fixture
def world(studio: Studio) -> dict[str, dict[str, str]]:
    manager, h_manager = studio.user("boss@example.org", "manager")
    ann1, h_ann1 = studio.user("one@example.org")
    ann2, h_ann2 = studio.user("two@example.org")
    outsider, h_out = studio.user("out@example.org")
    _project(studio, "p", [manager, ann1, ann2])
    _project(studio, "q", [outsider])
    # ann2 judges the item of project p
    lease = studio.client.post("/api/v1/projects/p/next", headers=h_ann2).json()
    ids = [c["id"] for c in lease["candidates"]]
    r = studio.client.post(
        f"/api/v1/assignments/{lease['assignment_id']}/judgment",
        json={"ranking": ids, "strength": 1, "rationale": "private words"},
        headers={**h_ann2, "Idempotency-Key": "x"},
    )
    assert r.status_code == 200, r.text
    return {
        "manager": h_manager,
        "ann1": h_ann1,
        "ann2": h_ann2,
        "outsider": h_out,
        "lease": {"id": str(lease["assignment_id"])},
    }


def test_annotator_cannot_read_others_judgments(
    studio: Studio, world: dict[str, dict[str, str]]
) -> None:
    c = studio.client
    assert c.get("/api/v1/projects/p/judgments", headers=world["ann1"]).json() == []
    assert (
        "private words"
        not in c.get("/api/v1/projects/p/judgments/export", headers=world["ann1"]).text
    )
    mine = c.get("/api/v1/projects/p/judgments", headers=world["ann2"]).json()
    assert [j["rationale"] for j in mine] == ["private words"]
    assert len(c.get("/api/v1/projects/p/judgments", headers=world["manager"]).json()) == 1


def test_annotator_cannot_see_gold_answers(
    studio: Studio, world: dict[str, dict[str, str]]
) -> None:
    c = studio.client
    assert c.get("/api/v1/projects/p/items", headers=world["ann1"]).status_code == 403
    assert "answer-key-zq7" in c.get("/api/v1/projects/p/items", headers=world["manager"]).text
    lease = c.get(f"/api/v1/assignments/{world['lease']['id']}", headers=world["ann2"])
    assert (
        lease.status_code == 200 and "answer-key-zq7" not in lease.text and "gold" not in lease.text
    )


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/users", None),
        ("POST", "/api/v1/users", {"email": "x@example.org", "name": "x"}),
        ("PATCH", "/api/v1/projects/p", {"overlap": 1}),
        ("PUT", "/api/v1/projects/p/guidelines", {"body": "new rules"}),
        ("PUT", "/api/v1/projects/p/rubric", {"criteria": [{"name": "correctness"}]}),
        ("POST", "/api/v1/projects/p/tasks", None),
        ("GET", "/api/v1/projects/p/tasks", None),
        ("GET", "/api/v1/projects/p/items", None),
        ("POST", "/api/v1/projects", {"slug": "z"}),
        ("POST", "/api/v1/projects/p/members", {"email": "x@example.org"}),
    ],
)
def test_annotator_cannot_use_manager_endpoints(
    studio: Studio,
    world: dict[str, dict[str, str]],
    method: str,
    path: str,
    body: dict[str, object] | None,
) -> None:
    r = studio.client.request(method, path, json=body, headers=world["ann1"])
    assert r.status_code == 403, r.text


def test_no_access_to_another_projects_items(
    studio: Studio, world: dict[str, dict[str, str]]
) -> None:
    c = studio.client
    assert c.get("/api/v1/projects/q", headers=world["ann1"]).status_code == 403
    assert c.post("/api/v1/projects/q/next", headers=world["ann1"]).status_code == 403
    assert (
        c.get(f"/api/v1/assignments/{world['lease']['id']}", headers=world["outsider"]).status_code
        == 404
    )
    assert c.get("/api/v1/projects/p/judgments", headers=world["outsider"]).status_code == 403


def test_deactivated_user_and_expired_or_revoked_token_refused(
    studio: Studio, world: dict[str, dict[str, str]]
) -> None:
    c = studio.client
    assert c.get("/api/v1/me", headers=world["ann1"]).status_code == 200
    with studio.db.session() as s:
        user = s.scalars(select(User).where(User.email == "one@example.org")).one()
        deactivate(s, user, None)
        two = s.scalars(select(User).where(User.email == "two@example.org")).one()
        token, plaintext = issue_token(s, two, "short", expires_in=timedelta(days=1))
        s.get(ApiToken, token.id).expires_at = utcnow() - timedelta(seconds=1)  # type: ignore[union-attr]
        s.commit()
    assert c.get("/api/v1/me", headers=world["ann1"]).status_code == 401
    assert c.get("/api/v1/me", headers={"Authorization": f"Bearer {plaintext}"}).status_code == 401
    assert c.get("/api/v1/me", headers={"Authorization": "Bearer cj_made_up"}).status_code == 401
    assert c.get("/api/v1/me").status_code == 401
    with studio.db.session() as s:
        assert s.scalar(select(Judgment.rationale)) == "private words"


def test_pages_forbid_foreign_and_inline_scripts(studio: Studio) -> None:
    r = studio.client.get("/login")
    assert r.status_code == 200
    policy = r.headers["content-security-policy"]
    assert (
        "script-src 'self'" in policy
        and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    assert r.headers["x-content-type-options"] == "nosniff"


def test_api_reference_is_served_offline(studio: Studio) -> None:
    r = studio.client.get("/api/docs")
    assert r.status_code == 200
    assert (
        "/api/v1/projects/{slug}/next" in r.text
        and "/api/v1/assignments/{assignment_id}/judgment" in r.text
    )
    assert "https://" not in r.text and "http://" not in r.text  # no assets from elsewhere
