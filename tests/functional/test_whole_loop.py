"""The whole loop, driven only through public entry points, on SQLite and PostgreSQL.

A manager creates a pairwise project, uploads tasks answered by two models (``good-model`` writes
correct code, ``bad-model`` wrong code), builds the items with ``codejury items`` and publishes the
project. Five annotators take items with ``POST /next`` and submit judgments over the REST API, each
holding the item a little while on the server's clock; one of them votes for the wrong code once,
one gives an item back, one skips an item, and a sixth person only opens an item and gives it back.
Every later stage reads what the engine wrote and must agree with the stage before it: progress,
consensus and agreement, the exported preference dataset, the leaderboard, pay (reviews, automatic
approval, statements, the annotators' own earnings) and the hours the wellbeing checks count.

A last section runs the functions behind the API on an injected clock, minutes apart, so that the
timer allowance matters, and checks that pay and the hour caps read those events alike.

Nothing here writes rows by hand: the database is only read, to check what the stages stored.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from codejury.accounts import add_member, create_user, issue_token
from codejury.assign import JudgmentIn, Lease, next_item_for, revise_judgment, submit_judgment
from codejury.candidates.store import build_items
from codejury.cli import common
from codejury.cli.main import app as cli_app
from codejury.config import Settings
from codejury.db import Database
from codejury.db.base import utcnow
from codejury.db.models import Judgment, PayLine, PayStatement, Project, User
from codejury.pay import store as pay_store
from codejury.pay.statements import Period
from codejury.pay.time import TimeRule
from codejury.projects import create_project, update_settings
from codejury.quality.store import item_consensus
from codejury.tasks.importer import import_tasks
from codejury.tasks.schema import TaskIn
from codejury.web.app import create_app
from codejury.wellbeing.store import hours_against_caps, spans_since, worked_hours
from support.studio import Studio

pytestmark = pytest.mark.db

PG_ADMIN_URL = os.environ.get(
    "CODEJURY_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SLUG = "loop"
PASSWORD = "correct horse battery"
WAIT = 1.1  # seconds each annotator holds an item before submitting it or giving it back
OVERLAP = 3
# The piece rate stays the project's default (a cut would need notice); the floor is raised to
# 3600 per hour, so one paid second is worth exactly one unit of money and the paid time shows, to
# the cent, in every amount (statement totals, payroll, the annotators' own earnings).
PIECE = Decimal("0.50")
FLOOR = Decimal("3600")
CENT = Decimal("0.01")
GOOD, BAD = "good-model", "bad-model"

TASKS: list[dict[str, Any]] = [
    {
        "external_id": "add",
        "prompt": 'def add(a, b):\n    """Return a + b."""\n',
        "good": ["    return a + b\n"],
        "bad": ["    return a - b\n"],
    },
    {
        "external_id": "larger",
        "prompt": 'def larger(a, b):\n    """Return the larger of a and b."""\n',
        "good": ["    return a if a >= b else b\n"],
        "bad": ["    return a if a < b else b\n"],
    },
    {
        "external_id": "is_even",
        "prompt": 'def is_even(n):\n    """Whether n is even."""\n',
        "good": ["    return n % 2 == 0\n"],
        "bad": ["    return n % 2 == 1\n"],
    },
    {
        "external_id": "reverse",
        "prompt": 'def reverse(s):\n    """Return s reversed."""\n',
        "good": ["    return s[::-1]\n"],
        "bad": ["    return s[1:]\n", "    return s\n"],
    },
]
GOOD_CODE = {t["external_id"]: t["prompt"] + t["good"][0] for t in TASKS}


@dataclass(frozen=True)
class Spec:
    """One person's habits: what their task timer reports (None: a plain API client that reports
    nothing) and what they do with the first item they get."""

    email: str
    timer: float | None
    first: str = "vote"  # vote | noisy (prefers the wrong code) | skip | release | walk away


ANNOTATORS = [
    Spec("ada@example.org", 1.0),  # a little under the time held
    Spec("noisy@example.org", None, "noisy"),
    Spec("cy@example.org", 30.0, "release"),  # more than held: capped by the server's window
    Spec("dee@example.org", 0.5, "skip"),
    Spec("eve@example.org", 45.0),
]
WALKER = Spec("walker@example.org", None, "walk")  # opens one item, gives it back, leaves
NOISY = "noisy@example.org"
RELEASE_TIMER = 0.5  # what cy's timer reports when giving the item back


def _upload() -> str:
    lines = []
    for t in TASKS:
        candidates = [{"source": GOOD, "content": t["prompt"] + c} for c in t["good"]]
        candidates += [{"source": BAD, "content": t["prompt"] + c} for c in t["bad"]]
        record = {
            "external_id": t["external_id"],
            "prompt": t["prompt"],
            "kind": "completion",
            "language": "python",
            "tags": {"difficulty": "easy"},
            "candidates": candidates,
        }
        lines.append(json.dumps(record))
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Submitted:
    """One judgment (or skip) as its annotator made it, with the client's view of its time."""

    email: str
    assignment_id: int
    item_id: int
    task: str
    judgment_id: int
    winner: int | None  # None: a skip
    loser: int | None
    sent_active: float | None
    client_seconds: float  # from just before asking for the item to just after the submit
    honest: bool  # preferred the correct program (or skipped)

    @property
    def skipped(self) -> bool:
        return self.winner is None


@dataclass(frozen=True)
class Released:
    email: str
    assignment_id: int
    item_id: int
    sent_active: float | None
    client_seconds: float
    at: datetime  # just after the release was answered


@dataclass
class Loop:
    studio: Studio
    settings: Settings
    data_dir: Path
    manager: dict[str, str]
    annotators: dict[str, dict[str, str]] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)
    pseudonyms: dict[str, str] = field(default_factory=dict)
    submitted: list[Submitted] = field(default_factory=list)
    released: list[Released] = field(default_factory=list)
    no_work_before_publishing: dict[str, Any] = field(default_factory=dict)
    items_output: str = ""
    replay: dict[str, Any] = field(default_factory=dict)

    @property
    def client(self) -> TestClient:
        return self.studio.client

    def votes(self, email: str | None = None) -> list[Submitted]:
        """The counted judgments (skips left out), of one annotator or of everyone."""
        return [s for s in self.submitted if not s.skipped and (email is None or s.email == email)]

    def judgments(self) -> dict[int, dict[str, Any]]:
        """Every judgment of the project as the manager's API shows it, by id."""
        r = self.client.get(f"/api/v1/projects/{SLUG}/judgments?limit=1000", headers=self.manager)
        assert r.status_code == 200, r.text
        return {j["id"]: j for j in r.json()}

    def cli(self, *args: str) -> str:
        """Run a ``codejury`` command on this loop's database (the environment names it)."""
        common.settings.cache_clear()
        common.database.cache_clear()
        try:
            result = CliRunner().invoke(cli_app, list(args))
        finally:
            common.database().dispose()
            common.settings.cache_clear()
            common.database.cache_clear()
        assert result.exit_code == 0, result.output
        return result.output


# --- a fresh database for the module ---------------------------------------------------------


def _fresh_database(backend: str, template: str, folder: Path) -> str:
    if backend == "sqlite":
        path = folder / "loop.sqlite3"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    name = f"codejury_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def _drop_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    name = url.rsplit("/", 1)[1]
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def loop(
    backend: str, template_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Loop]:
    folder = tmp_path_factory.mktemp(f"loop-{backend}")
    url = _fresh_database(backend, template_database, folder)
    data_dir = folder / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CODEJURY_DATA_DIR", str(data_dir))
        mp.setenv("CODEJURY_DATABASE_URL", url)
        settings = Settings(
            data_dir=data_dir, database_url=url, secret_key="loop-secret-0123456789"
        )
        db = Database(url)
        app = create_app(settings, database=db, worker=False)
        try:
            with TestClient(app) as client:
                yield _run(Studio(db, client), settings, data_dir)
        finally:
            db.dispose()
            _drop_database(url)


# --- the loop itself ------------------------------------------------------------------------


def _token(studio: Studio, email: str) -> dict[str, str]:
    """An API token, issued as ``codejury user token`` issues it."""
    with studio.db.session() as s:
        person = s.scalars(select(User).where(User.email == email)).one()
        _, token = issue_token(s, person, "loop")
    return {"Authorization": f"Bearer {token}"}


def _run(studio: Studio, settings: Settings, data_dir: Path) -> Loop:
    c = studio.client
    _, admin = studio.user("root@example.org", "admin")  # as `codejury user create` makes one
    body = {"email": "boss@example.org", "name": "Boss", "role": "manager", "password": PASSWORD}
    assert c.post("/api/v1/users", json=body, headers=admin).status_code == 201
    manager = _token(studio, "boss@example.org")
    loop = Loop(studio, settings, data_dir, manager)

    project = {"slug": SLUG, "name": "Whole loop", "mode": "pairwise", "overlap": OVERLAP,
               "gold_rate": 0.0}  # fmt: skip
    r = c.post("/api/v1/projects", json=project, headers=manager)
    assert r.status_code == 201, r.text
    r = c.post(f"/api/v1/projects/{SLUG}/tasks", content=_upload(), headers=manager)
    assert r.status_code == 200, r.text
    assert r.json()["created"] == len(TASKS), r.json()
    rate = {"piece_rate": str(PIECE), "hourly_floor": str(FLOOR), "currency": "USD"}
    r = c.post(f"/api/v1/projects/{SLUG}/pay/rate", json=rate, headers=manager)
    assert r.status_code == 201, r.text

    for spec in [*ANNOTATORS, WALKER]:
        body = {"email": spec.email, "name": spec.email.split("@")[0].title(),
                "role": "annotator", "skills": ["python"], "password": PASSWORD}  # fmt: skip
        r = c.post("/api/v1/users", json=body, headers=manager)
        assert r.status_code == 201, r.text
        loop.user_ids[spec.email] = r.json()["user"]["id"]
        loop.pseudonyms[spec.email] = r.json()["user"]["pseudonym"]
        r = c.post(f"/api/v1/projects/{SLUG}/members", json={"email": spec.email}, headers=manager)
        assert r.status_code == 201, r.text
        loop.annotators[spec.email] = _token(studio, spec.email)

    loop.items_output = loop.cli("items", SLUG, "--strategy", "model-pairs", "--gold", "0")
    loop.no_work_before_publishing = c.post(
        f"/api/v1/projects/{SLUG}/next", headers=loop.annotators[ANNOTATORS[0].email]
    ).json()

    purpose = {"uses": "reward model for code", "users": "our ML team", "retention": "1 year",
               "publishable": False}  # fmt: skip
    publish = {"status": "published", "purpose": purpose, "contact": "ops@example.org"}
    r = c.patch(f"/api/v1/projects/{SLUG}", json=publish, headers=manager)
    assert r.status_code == 200 and r.json()["status"] == "published", r.text

    _judge(loop)
    return loop


def _choose(lease: dict[str, Any], noisy: bool) -> tuple[int, int]:
    """The annotator reads both programs and prefers the correct one (the noisy one, not)."""
    good = GOOD_CODE[lease["task"]["external_id"]]
    [right] = [x["id"] for x in lease["candidates"] if x["content"] == good]
    [wrong] = [x["id"] for x in lease["candidates"] if x["id"] != right]
    return (wrong, right) if noisy else (right, wrong)


def _judge(loop: Loop) -> None:
    """Rounds: everyone who still gets work takes an item, holds it a moment, then submits it (or,
    on their first item, does what their habits say)."""
    c = loop.client
    specs = [*ANNOTATORS, WALKER]
    first_done: set[str] = set()
    while True:
        held: list[tuple[Spec, dict[str, Any], float]] = []
        for spec in specs:
            if spec.first == "walk" and spec.email in first_done:
                continue  # gone for good
            started = time.monotonic()
            lease = c.post(f"/api/v1/projects/{SLUG}/next", headers=loop.annotators[spec.email])
            assert lease.status_code == 200, lease.text
            if "no_work" not in lease.json():
                assert "candidates" in lease.json(), lease.json()
                held.append((spec, lease.json(), started))
        if not held:
            return
        time.sleep(WAIT)
        for spec, lease, started in held:
            action = spec.first if spec.email not in first_done else "vote"
            first_done.add(spec.email)
            if action in ("release", "walk"):
                _give_back(loop, spec, lease, started)
            else:
                _submit(loop, spec, lease, started, action)


def _give_back(loop: Loop, spec: Spec, lease: dict[str, Any], started: float) -> None:
    timer = RELEASE_TIMER if spec.first == "release" else None
    url = f"/api/v1/assignments/{lease['assignment_id']}/release"
    if timer is not None:
        url += f"?active_seconds={timer}"
    r = loop.client.post(url, headers=loop.annotators[spec.email])
    assert r.status_code == 204, r.text
    elapsed = time.monotonic() - started
    loop.released.append(
        Released(spec.email, lease["assignment_id"], lease["item_id"], timer, elapsed, utcnow())
    )


def _submit(loop: Loop, spec: Spec, lease: dict[str, Any], started: float, action: str) -> None:
    winner: int | None
    loser: int | None
    if action == "skip":
        payload: dict[str, Any] = {"skip_reason": "outside_expertise"}
        winner = loser = None
    else:
        winner, loser = _choose(lease, noisy=action == "noisy")
        payload = {"ranking": [winner, loser], "strength": 1 if action == "noisy" else 2,
                   "rationale": "the other one is wrong"}  # fmt: skip
    if spec.timer is not None:
        payload["active_seconds"] = spec.timer
    url = f"/api/v1/assignments/{lease['assignment_id']}/judgment"
    headers = {**loop.annotators[spec.email], "Idempotency-Key": f"{spec.email}:{lease['item_id']}"}
    r = loop.client.post(url, json=payload, headers=headers)
    elapsed = time.monotonic() - started
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["replayed"] is False and result["skipped"] is (action == "skip"), result
    assert result["counted"] is (action != "skip"), result
    if not loop.replay and action == "vote":  # a client retrying a submit it is unsure of
        again = loop.client.post(url, json=payload, headers=headers)
        loop.replay = {"first": result, "again": again.json()}
    loop.submitted.append(
        Submitted(
            spec.email,
            lease["assignment_id"],
            lease["item_id"],
            lease["task"]["external_id"],
            result["judgment_id"],
            winner,
            loser,
            spec.timer,
            elapsed,
            action != "noisy",
        )
    )


# --- what the documents say each item's time is worth ---------------------------------------


def _paid_seconds(judgment: dict[str, Any], timer: float | None) -> int:
    """docs/pay.md for a submit or skip: the smaller of the server window (as the server measured
    it) and the seconds the timer reported plus the allowance, rounded up to the whole second; the
    server window when no timer reported."""
    server = judgment["server_seconds"]
    seconds = server if timer is None else min(server, timer + TimeRule().allowance)
    return max(0, math.ceil(seconds - 1e-9))


def _released_seconds(released: Released) -> int:
    """docs/pay.md for an item given back: the timer's seconds, capped by the time it was held, no
    allowance; nothing when no timer reported. Every item here was held longer than its timer."""
    assert released.sent_active is None or released.sent_active < WAIT
    return 0 if released.sent_active is None else math.ceil(released.sent_active)


def _expected_paid(loop: Loop) -> dict[str, int]:
    judgments = loop.judgments()
    out: dict[str, int] = defaultdict(int)
    for s in loop.submitted:
        out[s.email] += _paid_seconds(judgments[s.judgment_id], s.sent_active)
    for r in loop.released:
        out[r.email] += _released_seconds(r)
    return dict(out)


def _moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    assert moment.tzinfo is not None, value
    return moment


def _earnings(loop: Loop, email: str) -> dict[str, Any]:
    r = loop.client.get("/api/v1/me/earnings", headers=loop.annotators[email])
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


# --- the tests ----------------------------------------------------------------------------------


def test_items_are_built_and_a_draft_project_gives_no_work(loop: Loop) -> None:
    assert f"{len(TASKS)} items created" in loop.items_output, loop.items_output
    assert "no_work" in loop.no_work_before_publishing, loop.no_work_before_publishing
    items = loop.client.get(f"/api/v1/projects/{SLUG}/items", headers=loop.manager).json()
    assert len(items) == len(TASKS) and not any(i["is_gold"] for i in items)
    for item in items:
        r = loop.client.get(
            f"/api/v1/projects/{SLUG}/tasks/{item['task_id']}/candidates", headers=loop.manager
        )
        sources = {c["id"]: c["source"] for c in r.json()}
        assert sorted(sources[c] for c in item["candidate_ids"]) == [BAD, GOOD]


def test_every_item_reaches_its_overlap_and_then_there_is_no_work(loop: Loop) -> None:
    c = loop.client
    votes = loop.votes()
    assert len(votes) == OVERLAP * len(TASKS)
    per_item = Counter(s.item_id for s in votes)
    assert sorted(per_item.values()) == [OVERLAP] * len(TASKS)
    assert all(len({s.email for s in votes if s.item_id == i}) == OVERLAP for i in per_item)
    # Nobody judged an item they gave back or skipped.
    passed = {(r.email, r.item_id) for r in loop.released}
    passed |= {(s.email, s.item_id) for s in loop.submitted if s.skipped}
    assert len(passed) == 3 and not passed & {(s.email, s.item_id) for s in votes}

    items = c.get(f"/api/v1/projects/{SLUG}/items", headers=loop.manager).json()
    assert {i["id"]: i["counted"] for i in items} == dict.fromkeys(per_item, OVERLAP)
    progress = c.get(f"/api/v1/projects/{SLUG}/progress", headers=loop.manager).json()
    assert progress["progress"]["items"] == {"open": 0, "in_progress": 0, "complete": len(TASKS)}
    per_annotator = {a["user_id"]: a for a in progress["progress"]["per_annotator"]}
    assert WALKER.email not in {s.email for s in loop.submitted}
    assert loop.user_ids[WALKER.email] not in per_annotator
    for spec in ANNOTATORS:
        n = len(loop.votes(spec.email))
        skips = sum(1 for s in loop.submitted if s.email == spec.email and s.skipped)
        row = per_annotator[loop.user_ids[spec.email]]
        assert (row["judgments"], row["counted"], row["skips"], row["late"]) == (n, n, skips, 0)
        headers = loop.annotators[spec.email]
        me = c.get(f"/api/v1/projects/{SLUG}/progress/me", headers=headers).json()
        assert me["counted_total"] == me["judged_total"] == n, me
        assert me["remaining_items"] == 0, me
    for email, headers in loop.annotators.items():
        nothing = c.post(f"/api/v1/projects/{SLUG}/next", headers=headers).json()
        assert "no_work" in nothing, (email, nothing)

    # A retried submit (same Idempotency-Key) is the same judgment and counts nothing more.
    first, again = loop.replay["first"], loop.replay["again"]
    assert again["replayed"] is True and again["judgment_id"] == first["judgment_id"]
    assert len(loop.judgments()) == len(loop.submitted)


def test_consensus_prefers_the_good_model_and_agreement_is_computed(loop: Loop) -> None:
    report = loop.client.get(f"/api/v1/projects/{SLUG}/quality", headers=loop.manager)
    assert report.status_code == 200, report.text
    q = report.json()
    judges = {s.email for s in loop.votes()}
    assert (q["judgments"], q["judges"]) == (len(loop.votes()), len(judges))

    good = {s.item_id: s.winner for s in loop.votes() if s.honest}
    [noisy_item] = [s.item_id for s in loop.votes() if not s.honest]
    assert len(q["consensus"]) == len(TASKS)
    for pair in q["consensus"]:
        winner = pair["first"] if pair["label"] == "first" else pair["second"]
        assert pair["label"] != "tie" and winner == good[int(pair["item"])], pair
        assert pair["votes"] == OVERLAP

    with loop.studio.db.session() as s:
        project = s.scalars(select(Project).where(Project.slug == SLUG)).one()
        stored = item_consensus(s, project)
    assert set(stored) == set(good)
    for item_id, consensus in stored.items():
        [pair] = consensus.pairs
        winner = pair.first if pair.label == "first" else pair.second
        assert winner == good[item_id] and consensus.votes == OVERLAP
        assert (consensus.confidence < 1.0) is (item_id == noisy_item), consensus

    # Agreement: every judge has a reliability; only pairs of judges that shared the noisy vote's
    # item disagree, and there exactly once.
    assert {int(r["worker"]) for r in q["reliability"]} == {loop.user_ids[e] for e in judges}
    assert q["preference_nominal"]["alpha"] is not None
    assert q["preference_nominal"]["annotators"] == len(judges)
    on_noisy_item = {loop.user_ids[s.email] for s in loop.votes() if s.item_id == noisy_item}
    noisy_id = loop.user_ids[NOISY]
    assert q["pairwise"], q
    for pa in q["pairwise"]:
        pair_ids = {int(pa["worker_a"]), int(pa["worker_b"])}
        disagreed = noisy_id in pair_ids and pair_ids <= on_noisy_item
        assert pa["agreed"] == pa["n"] - disagreed, pa


def test_export_has_the_good_code_as_chosen_and_only_pseudonyms(loop: Loop) -> None:
    out = loop.data_dir / "export-loop"
    printed = loop.cli("export", "preferences", SLUG, "--format", "jsonl", "--out", str(out))
    written = (out / "preferences.jsonl").read_text()
    rows = [json.loads(line) for line in written.splitlines() if line.strip()]
    assert len(rows) == len(TASKS), printed
    assert sorted(r["task_id"] for r in rows) == sorted(GOOD_CODE)
    judges: dict[int, set[str]] = defaultdict(set)
    for s in loop.votes():
        judges[s.item_id].add(loop.pseudonyms[s.email])
    for row in rows:
        full = row["prompt"] + row["chosen"]
        assert full == GOOD_CODE[row["task_id"]], row
        assert row["prompt"] + row["rejected"] != full
        assert sorted(row["annotators"]) == sorted(judges[row["item_id"]]), row
    card = (out / "README.md").read_text()
    for email in loop.annotators:
        name = email.split("@")[0].title()
        assert email not in written and name not in written and email not in card

    # Each annotator's impact page counts the judgments of theirs the export used.
    for spec in ANNOTATORS:
        r = loop.client.get("/api/v1/me/impact", headers=loop.annotators[spec.email])
        [export] = r.json()["exports"]
        assert export["your_judgments"] == len(loop.votes(spec.email)), export
        assert (export["rows"], export["contributors"]) == (len(TASKS), len(ANNOTATORS))


def test_leaderboard_ranks_the_good_model_first(loop: Loop) -> None:
    r = loop.client.get(
        f"/api/v1/projects/{SLUG}/leaderboard?rounds=50&seed=0", headers=loop.manager
    )
    assert r.status_code == 200, r.text
    [board] = r.json()["slices"]
    n = len(loop.votes())
    assert board["comparisons"] == n
    assert [m["model"] for m in board["models"]] == [GOOD, BAD]
    good, bad = board["models"]
    assert good["strength"] > bad["strength"] and good["rank"] <= bad["rank"]
    assert (good["wins"], good["losses"], bad["wins"], bad["losses"]) == (n - 1, 1, 1, n - 1)


def test_pay_statements_pay_the_time_the_engine_recorded(loop: Loop) -> None:
    c, settings = loop.client, loop.settings
    expected = _expected_paid(loop)
    judgments = loop.judgments()
    for spec in ANNOTATORS:
        mine = [s for s in loop.submitted if s.email == spec.email]
        # Each item was held at least WAIT seconds on the server's clock, and no longer than the
        # client saw it, from asking for it to the submit's answer.
        assert expected[spec.email] >= len(mine) * math.ceil(WAIT)
        gave_back = [r for r in loop.released if r.email == spec.email]
        assert expected[spec.email] <= sum(math.ceil(x.client_seconds) for x in [*mine, *gave_back])
        for s in mine:
            j = judgments[s.judgment_id]
            assert WAIT <= j["server_seconds"] <= s.client_seconds, (j, s)
            if s.sent_active is not None:
                assert j["active_seconds"] == pytest.approx(min(s.sent_active, j["server_seconds"]))

    # Before any review every vote is pending; skips earn no piece pay.
    for spec in ANNOTATORS:
        n = len(loop.votes(spec.email))
        [usd] = _earnings(loop, spec.email)["currencies"]
        assert (usd["pending_count"], usd["approved_count"]) == (n, 0), usd
        assert Decimal(usd["pending"]) == PIECE * n

    # The manager accepts two annotators' votes; the rest waits for automatic approval (day 21).
    reviewed = {ANNOTATORS[0].email, NOISY}
    for s in loop.votes():
        if s.email in reviewed:
            r = c.post(f"/api/v1/judgments/{s.judgment_id}/review", json={"decision": "accept"},
                       headers=loop.manager)  # fmt: skip
            assert r.status_code == 201 and r.json()["judgment_status"] == "accepted", r.text
    waiting = sum(1 for j in loop.judgments().values() if j["status"] == "pending")
    assert waiting == len(loop.submitted) - sum(1 for s in loop.votes() if s.email in reviewed)
    with loop.studio.db.session() as s:
        assert pay_store.auto_approve(s, now=utcnow() + timedelta(days=20), settings=settings) == 0
    later = utcnow() + timedelta(days=21, minutes=1)
    with loop.studio.db.session() as s:
        assert pay_store.auto_approve(s, now=later, settings=settings) == waiting
    assert {j["status"] for j in loop.judgments().values()} == {"accepted"}
    for spec in ANNOTATORS:
        [usd] = _earnings(loop, spec.email)["currencies"]
        assert (usd["pending_count"], usd["approved_count"]) == (0, len(loop.votes(spec.email)))

    # The week has not ended on the real clock, so the API refuses to issue it yet; statements
    # are issued as `codejury pay statements` issues them, once the week and the approval are past.
    weeks = sorted({Period.week_of(_moment(j["created_at"])).start for j in judgments.values()})
    r = c.post(f"/api/v1/projects/{SLUG}/pay/statements?period={weeks[-1].date()}",
               headers=loop.manager)  # fmt: skip
    assert r.status_code == 422 and "has not ended" in r.text, r.text
    issued: list[PayStatement] = []
    for week in weeks:
        when = max(Period.starting(week).end, later) + timedelta(seconds=1)
        with loop.studio.db.session() as s:
            issued += pay_store.issue_statements(s, SLUG, week, now=when, settings=settings)
    with loop.studio.db.session() as s:
        query = select(PayLine).where(PayLine.statement_id.in_([st.id for st in issued]))
        lines = list(s.scalars(query))
    by_user: dict[int, list[PayStatement]] = defaultdict(list)
    for st in issued:
        by_user[st.user_id].append(st)
    assert {loop.user_ids[s.email] for s in ANNOTATORS} <= set(by_user)

    r = c.get(f"/api/v1/projects/{SLUG}/pay", headers=loop.manager)
    summary = {a["user_id"]: a for a in r.json()["annotators"]}
    for spec in ANNOTATORS:
        email, uid = spec.email, loop.user_ids[spec.email]
        n, seconds = len(loop.votes(email)), expected[email]
        ids = {st.id for st in by_user[uid]}
        mine = [li for li in lines if li.statement_id in ids]
        paid = sum(st.paid_seconds for st in by_user[uid])
        total = sum((st.total for st in by_user[uid]), Decimal(0)).quantize(CENT)
        assert paid == seconds, (email, paid, seconds, [(li.kind, li.ref) for li in mine])
        piece = [li for li in mine if li.kind == "piece"]
        assert sum(li.quantity for li in piece) == n, [(li.kind, li.quantity) for li in mine]
        assert sum(li.amount for li in piece) == PIECE * n
        time_lines = [li for li in mine if li.kind == "time"]
        assert sum(li.ref["seconds"] for li in time_lines) == seconds
        held = [s.assignment_id for s in loop.submitted if s.email == email]
        held += [r.assignment_id for r in loop.released if r.email == email]
        assert sorted(k for li in time_lines for k in li.ref["keys"]) == sorted(
            f"assignment:{a}" for a in held
        )
        # One paid second is worth one unit: the total is the paid seconds, to the cent.
        assert total == Decimal(seconds).quantize(CENT), (email, total, seconds)

        row = summary[uid]
        assert row["pseudonym"] == loop.pseudonyms[email]
        assert (Decimal(row["total"]), Decimal(row["effective_hourly"])) == (total, FLOOR)
        assert Decimal(row["paid_hours"]) == (Decimal(seconds) / 3600).quantize(CENT)

        earnings = _earnings(loop, email)
        [usd] = earnings["currencies"]
        assert (Decimal(usd["issued"]), Decimal(usd["effective_hourly"])) == (total, FLOOR), usd
        assert Decimal(usd["paid_hours"]) == (Decimal(seconds) / 3600).quantize(CENT)
        assert (usd["pending_count"], usd["approved_count"]) == (0, 0), usd
        dashboard = c.get("/api/v1/me/dashboard", headers=loop.annotators[email]).json()
        assert dashboard["earnings"]["currencies"] == earnings["currencies"]
        [project] = dashboard["projects"]
        assert project["earnings"] == earnings["currencies"]

    by_pseudonym: dict[str, Decimal] = defaultdict(Decimal)
    for week in weeks:
        r = c.get(f"/api/v1/projects/{SLUG}/pay/statements.csv?period={week.date()}",
                  headers=loop.manager)  # fmt: skip
        assert r.status_code == 200, r.text
        for line in r.text.splitlines()[1:]:
            cells = dict(zip(r.text.splitlines()[0].split(","), line.split(","), strict=True))
            by_pseudonym[cells["pseudonym"]] += Decimal(cells["piece"])
    for spec in ANNOTATORS:
        assert by_pseudonym[loop.pseudonyms[spec.email]] == PIECE * len(loop.votes(spec.email))
    t = c.get(f"/api/v1/projects/{SLUG}/transparency", headers=loop.manager).json()
    assert (t["statements"], t["judgments"], t["rejected"]) == (len(issued), len(loop.votes()), 0)
    overview = c.get(f"/api/v1/projects/{SLUG}/pay/overview", headers=loop.manager).json()
    assert overview["accepted_judgments"] == len(loop.votes()), overview


def test_worked_hours_are_the_paid_time(loop: Loop) -> None:
    judgments = loop.judgments()
    for spec in ANNOTATORS:
        email = spec.email
        with loop.studio.db.session() as s:
            person = s.get_one(User, loop.user_ids[email])
            now = utcnow()
            hours = worked_hours(s, person, now)
            bound = hours_against_caps(s, person, now)
        ends = [
            (
                _moment(judgments[x.judgment_id]["created_at"]),
                _paid_seconds(judgments[x.judgment_id], x.sent_active),
            )
            for x in loop.submitted
            if x.email == email
        ]
        ends += [(r.at, _released_seconds(r)) for r in loop.released if r.email == email]
        week = sum(p for at, p in ends if at >= hours.week_start)
        today = sum(p for at, p in ends if at >= hours.day_start)
        assert week > 0
        assert hours.this_week * 3600 == pytest.approx(week), (email, hours)
        assert hours.today * 3600 == pytest.approx(today), (email, hours)
        assert bound.this_week >= hours.this_week and bound.today >= hours.today

        dashboard = loop.client.get("/api/v1/me/dashboard", headers=loop.annotators[email])
        assert dashboard.json()["hours"]["this_week"] == round(week / 3600, 2)
        earnings = _earnings(loop, email)
        assert Decimal(earnings["hours_this_week"]) == (Decimal(week) / 3600).quantize(CENT)


def test_an_item_given_back_without_a_timer_report_is_not_paid(loop: Loop) -> None:
    """docs/pay.md: an item given back is paid 'the timer seconds reported, capped by the time it
    was held, no allowance; nothing when no timer reported'. A release through the API without
    ``active_seconds`` must not count the time held as if the timer had reported it."""
    [walked] = [r for r in loop.released if r.email == WALKER.email]
    assert walked.sent_active is None
    with loop.studio.db.session() as s:
        person = s.get_one(User, loop.user_ids[WALKER.email])
        spans = spans_since(s, person.id, utcnow() - timedelta(hours=1))
        hours = worked_hours(s, person)
    assert [(x.kind, x.paid_seconds) for x in spans] == [("expired", 0)], spans
    assert hours.this_week == 0, hours


# --- the same engine on an injected clock -------------------------------------------------------
#
# The REST API runs on the real clock, so the loop above holds items for about a second: too short
# for the timer allowance to matter. Here the functions the API calls (``next_item_for``,
# ``submit_judgment``, ``revise_judgment``) run with ``now`` given, minutes apart, and pay and the
# hour caps read what they wrote.


@dataclass(frozen=True)
class Clocked:
    project: Project
    user: User
    start: datetime  # a Wednesday 09:00 UTC to come, after the project's pay rate took effect

    @property
    def week(self) -> Period:
        return Period.week_of(self.start)


def _clocked(db: Session) -> Clocked:
    project = create_project(db, f"clock-{uuid.uuid4().hex[:8]}", overlap=1, gold_rate=0.0)
    import_tasks(db, project, [TaskIn.model_validate_json(x) for x in _upload().splitlines()])
    build_items(db, project, "model-pairs")
    purpose = {"uses": "u", "users": "v", "retention": "1 y", "publishable": False}
    update_settings(db, project, status="published", purpose=purpose, contact="ops@example.org")
    user = create_user(db, f"{uuid.uuid4().hex[:8]}@example.org", "Clocked", "annotator",
                       password=PASSWORD, skills=["python"])  # fmt: skip
    add_member(db, project, user, None)
    start = Period.week_of(utcnow()).end + timedelta(days=2, hours=9)
    return Clocked(project, user, start)


def _clocked_submit(
    db: Session, w: Clocked, minutes: int, active: float, key: str, *, revise: int | None = None
) -> int:
    """Lease an item at ``start`` and submit it ``minutes`` later (or revise judgment ``revise``
    then); the judgment's id."""
    at = w.start + timedelta(minutes=minutes)
    if revise is not None:
        flipped = list(reversed(db.get_one(Judgment, revise).ranking or []))
        payload = JudgmentIn.model_validate(
            {"ranking": flipped, "strength": 1, "active_seconds": active}
        )
        return revise_judgment(db, w.user, revise, payload, idempotency_key=key, now=at).judgment_id
    lease = next_item_for(db, w.user, w.project, now=w.start, lease_minutes=60)
    assert isinstance(lease, Lease), lease
    payload = JudgmentIn.model_validate(
        {"ranking": lease.display_order, "strength": 1, "active_seconds": active}
    )
    result = submit_judgment(db, w.user, lease.assignment_id, payload, idempotency_key=key, now=at)
    return result.judgment_id


def _time_lines(db: Session, w: Clocked) -> dict[str, int]:
    """The week's statement of the clocked annotator: paid seconds by kind of time."""
    issued = pay_store.issue_statements(db, w.project, w.week.start, now=w.week.end)
    [statement] = [s for s in issued if s.user_id == w.user.id]
    lines = db.scalars(select(PayLine).where(PayLine.statement_id == statement.id))
    by_kind = {li.ref["kind"]: int(li.ref["seconds"]) for li in lines if li.kind == "time"}
    assert sum(by_kind.values()) == statement.paid_seconds
    return by_kind


def test_clocked_submit_is_paid_by_the_documented_rule_and_counted_alike(db: Session) -> None:
    w = _clocked(db)
    _clocked_submit(db, w, minutes=20, active=1000, key="a")
    assert _time_lines(db, w) == {"assignment": 1060}  # min(1200 s held, 1000 s + 60 s allowance)
    hours = worked_hours(db, w.user, w.start + timedelta(minutes=30))
    assert hours.today * 3600 == pytest.approx(1060)


def test_a_zero_timer_report_is_counted_alike_by_pay_and_the_hour_caps(db: Session) -> None:
    """A submit whose timer reported 0 active seconds, 10 minutes after the lease, is paid
    min(600, 0 + 60) = 60 s, and the hour caps count the same 60 s, not the whole window."""
    w = _clocked(db)
    _clocked_submit(db, w, minutes=10, active=0, key="a")
    assert _time_lines(db, w) == {"assignment": 60}
    hours = worked_hours(db, w.user, w.start + timedelta(minutes=11))
    assert hours.today * 3600 == pytest.approx(60)


def test_a_revision_is_paid_its_rework_time(db: Session) -> None:
    """docs/pay.md pays rework a reviewer asked for 'as above': the revision's timer seconds."""
    w = _clocked(db)
    first = _clocked_submit(db, w, minutes=10, active=300, key="a")
    _clocked_submit(db, w, minutes=30, active=120, key="b", revise=first)
    assert _time_lines(db, w) == {"assignment": 360, "rework": 120}


def test_a_revision_leaves_the_time_of_the_submit_it_revises_alone(database_url: str) -> None:
    """A submit whose timer reported 0 s is paid min(600, 0 + 60) = 60 s; its revision (120 s of
    rework, on the same assignment) must not change that to min(600, 120 + 60) = 180 s."""
    database = Database(database_url)
    try:
        with database.session() as db:
            w = _clocked(db)
            first = _clocked_submit(db, w, minutes=10, active=0, key="a")
            _clocked_submit(db, w, minutes=30, active=120, key="b", revise=first)
            assert _time_lines(db, w)["assignment"] == 60
    finally:
        database.dispose()
