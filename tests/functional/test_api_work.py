"""The annotator loop through the REST API, on SQLite and PostgreSQL."""

import json

from sqlalchemy import func, select

from codejury.db.models import Candidate, Item, ItemCandidate, Judgment, Task
from support.studio import Studio

TASKS = [
    {
        "external_id": f"t{i}",
        "prompt": "def add(a, b):\n",
        "kind": "completion",
        "language": "python",
        "candidates": [
            {"source": "m1", "content": f"def add(a, b):\n    return a + b  # {i}\n"},
            {"source": "m2", "content": f"def add(a, b):\n    return a - b  # {i}\n"},
        ],
    }
    for i in range(3)
]


def _setup(studio: Studio) -> tuple[dict[str, str], dict[str, str]]:
    _, manager = studio.user("boss@example.org", "manager")
    _, annotator = studio.user("ann@example.org", "annotator", skills=["python"])
    c = studio.client
    assert (
        c.post("/api/v1/projects", json={"slug": "p", "overlap": 1}, headers=manager).status_code
        == 201
    )
    body = "\n".join(json.dumps(t) for t in TASKS)
    r = c.post("/api/v1/projects/p/tasks", content=body, headers=manager)
    assert r.status_code == 200 and r.json()["created"] == 3, r.text
    purpose = {
        "uses": "reward model",
        "users": "our team",
        "retention": "1 year",
        "publishable": False,
    }
    r = c.patch(
        "/api/v1/projects/p",
        json={"status": "published", "purpose": purpose, "contact": "ops@example.org"},
        headers=manager,
    )
    assert r.status_code == 200, r.text
    assert (
        c.post(
            "/api/v1/projects/p/members", json={"email": "ann@example.org"}, headers=manager
        ).status_code
        == 201
    )
    with studio.db.session() as s:
        for task in s.scalars(select(Task)):
            ids = sorted(s.scalars(select(Candidate.id).where(Candidate.task_id == task.id)))
            item = Item(project_id=task.project_id, task_id=task.id, candidate_ids=ids)
            s.add(item)
            s.flush()
            s.add_all([ItemCandidate(item_id=item.id, candidate_id=cid) for cid in ids])
        s.commit()
    return manager, annotator


def test_next_submit_and_retry(studio: Studio) -> None:
    _, annotator = _setup(studio)
    c = studio.client
    lease = c.post("/api/v1/projects/p/next", headers=annotator).json()
    assert "candidates" in lease, lease
    assert [x["label"] for x in lease["candidates"]] == ["A", "B"]
    assert "is_gold" not in json.dumps(lease) and "m1" not in json.dumps(lease)
    a, b = (x["id"] for x in lease["candidates"])
    payload = {
        "ranking": [b, a],
        "strength": 2,
        "ratings": {str(a): {"correctness": 2}, str(b): {"correctness": 5}},
        "error_spans": [
            {
                "candidate_id": a,
                "line_start": 2,
                "line_end": 2,
                "category": "logic",
                "severity": "major",
            }
        ],
        "rationale": "B adds",
        "active_seconds": 12,
    }
    url = f"/api/v1/assignments/{lease['assignment_id']}/judgment"
    first = c.post(url, json=payload, headers={**annotator, "Idempotency-Key": "k1"})
    assert first.status_code == 200 and first.json()["counted"] is True, first.text
    retry = c.post(url, json=payload, headers={**annotator, "Idempotency-Key": "k1"})
    assert (
        retry.json()["replayed"] is True
        and retry.json()["judgment_id"] == first.json()["judgment_id"]
    )
    with studio.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Judgment)) == 1
        j = s.scalars(select(Judgment)).one()
        assert j.ranking == [b, a] and j.shown_order == [a, b]
    progress = c.get("/api/v1/projects/p/progress/me", headers=annotator).json()
    assert progress["counted_total"] == 1


def test_invalid_judgment_names_the_field(studio: Studio) -> None:
    _, annotator = _setup(studio)
    lease = studio.client.post("/api/v1/projects/p/next", headers=annotator).json()
    r = studio.client.post(
        f"/api/v1/assignments/{lease['assignment_id']}/judgment",
        json={"ranking": [1, 2, 3], "strength": 7},
        headers={**annotator, "Idempotency-Key": "k"},
    )
    assert r.status_code == 422
    assert any("ranking" in p for p in r.json()["problems"]) and any(
        "strength" in p for p in r.json()["problems"]
    )


def test_bad_upload_lists_lines_and_writes_nothing(studio: Studio) -> None:
    _, manager = studio.user("boss@example.org", "manager")
    studio.client.post("/api/v1/projects", json={"slug": "p"}, headers=manager)
    body = json.dumps(TASKS[0]) + "\n{oops\n" + json.dumps({**TASKS[1], "kind": 3})
    r = studio.client.post("/api/v1/projects/p/tasks", content=body, headers=manager)
    assert r.status_code == 422
    assert [p.split(":")[1] for p in r.json()["problems"]] == ["2", "3"]
    with studio.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Task)) == 0
