"""Accounts through the services on real SQLite and PostgreSQL: users, tokens, links, sessions,
logins, memberships and the audit log."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from codejury import accounts
from codejury.accounts import passwords
from codejury.accounts.audit import current_channel
from codejury.accounts.login import LoginLimiter, LoginRateLimited
from codejury.db.base import utcnow
from codejury.db.models import ApiToken, AuditEvent, Project, User
from codejury.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated

PASSWORD = "a long enough password"
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
SECRET = "functional-test-secret"


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap Argon2 parameters: the production ones cost most of a second per hash."""
    monkeypatch.setattr(passwords, "hasher", lambda: FAST_HASHER)


def make_user(db: Session, email: str, role: str = "annotator", **kwargs: object) -> User:
    kwargs.setdefault("password", PASSWORD)
    return accounts.create_user(db, email, email.split("@")[0].title(), role, **kwargs)  # type: ignore[arg-type]


def make_project(db: Session, slug: str = "alpha") -> Project:
    project = Project(slug=slug, name=slug.title())
    db.add(project)
    db.flush()
    return project


def events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# users


def test_create_user_normalises_and_gives_a_pseudonym(db: Session) -> None:
    user = make_user(
        db, "  Ada@Example.ORG ", skills=["Python", "python", "c++"], timezone="Europe/Berlin"
    )
    assert user.email == "ada@example.org"
    assert user.active and user.password_hash and user.password_hash.startswith("$argon2id$")
    assert passwords.verify_password(user.password_hash, PASSWORD)
    assert user.skills == ["python", "c++"]
    assert user.pseudonym.startswith("ann-") and len(user.pseudonym) == 10
    assert accounts.get_user_by_email(db, "ADA@example.org") is user
    assert make_user(db, "bob@example.org").pseudonym != user.pseudonym


def test_duplicate_email_is_a_conflict(db: Session) -> None:
    make_user(db, "ada@example.org")
    with pytest.raises(Conflict, match=r"ada@example\.org"):
        make_user(db, "ADA@example.org")


def test_bad_profile_lists_every_problem(db: Session) -> None:
    with pytest.raises(InvalidInput) as info:
        accounts.create_user(
            db, "not-an-email", " ", "boss", timezone="Mars/Olympus", skills=["ok", "bad skill"]
        )
    text = "\n".join(info.value.problems)
    for field in ("email:", "name:", "role:", "timezone:", "skills:"):
        assert field in text
    assert db.scalar(select(User.id)) is None


def test_user_without_password_is_pending(db: Session) -> None:
    user = accounts.create_user(db, "new@example.org", "New", "annotator")
    assert not user.active and user.password_hash is None


def test_update_writes_one_audit_event_per_changed_field(db: Session) -> None:
    admin = make_user(db, "root@example.org", "admin")
    ann = make_user(db, "ann@example.org")
    accounts.update_user(db, ann, role="manager", skills=["go"], timezone="UTC", actor=admin)
    assert ann.role == "manager" and ann.skills == ["go"]
    (role_event,) = events(db, "user.role")
    assert (role_event.actor_id, role_event.target_type, role_event.target_id) == (
        admin.id,
        "user",
        str(ann.id),
    )
    assert role_event.before == {"role": "annotator"} and role_event.after == {"role": "manager"}
    assert events(db, "user.skills")[0].after == {"skills": ["go"]}
    assert events(db, "user.timezone") == []  # unchanged


def test_manager_cannot_promote(db: Session) -> None:
    manager = make_user(db, "m@example.org", "manager")
    ann = make_user(db, "ann@example.org")
    with pytest.raises(Forbidden):
        accounts.update_user(db, ann, role="admin", actor=manager)
    accounts.update_user(db, ann, skills=["rust"], actor=manager)
    assert ann.role == "annotator" and ann.skills == ["rust"]


def test_last_admin_cannot_be_demoted_or_deactivated(db: Session) -> None:
    root = make_user(db, "root@example.org", "admin")
    with pytest.raises(Conflict, match="last active admin"):
        accounts.update_user(db, root, role="manager", actor=None)
    with pytest.raises(Conflict):
        accounts.deactivate(db, root, None)
    make_user(db, "second@example.org", "admin")
    accounts.update_user(db, root, role="manager", actor=None)
    assert root.role == "manager"


def test_set_password_ends_sessions_and_is_audited_without_the_hash(db: Session) -> None:
    admin = make_user(db, "root@example.org", "admin")
    ann = make_user(db, "ann@example.org")
    cookie = accounts.dump_session(ann, secret=SECRET)
    accounts.set_password(db, ann, "another long password", actor=admin)
    with pytest.raises(Unauthenticated, match="session ended"):
        accounts.load_session(db, cookie, 3600, secret=SECRET)
    (event,) = events(db, "user.password")
    assert event.after == {"password": "set"} and event.actor_id == admin.id
    with pytest.raises(InvalidInput):
        accounts.set_password(db, ann, "short")


# sessions and logins


def test_session_cookie_round_trip(db: Session) -> None:
    ann = make_user(db, "ann@example.org")
    cookie = accounts.dump_session(ann, secret=SECRET)
    assert accounts.load_session(db, cookie, 3600, secret=SECRET) is ann


def test_deactivation_kills_sessions_and_tokens(db: Session) -> None:
    admin = make_user(db, "root@example.org", "admin")
    ann = make_user(db, "ann@example.org")
    cookie = accounts.dump_session(ann, secret=SECRET)
    _, plaintext = accounts.issue_token(db, ann, "script", actor=ann)
    accounts.deactivate(db, ann, admin)
    with pytest.raises(Unauthenticated):
        accounts.load_session(db, cookie, 3600, secret=SECRET)
    with pytest.raises(Unauthenticated):
        accounts.authenticate_token(db, plaintext)
    assert all(t.revoked_at is not None for t in db.scalars(select(ApiToken)))
    (event,) = events(db, "user.deactivate")
    assert event.before == {"active": True} and event.after == {
        "active": False,
        "tokens_revoked": 1,
    }
    accounts.reactivate(db, ann, admin)
    with pytest.raises(Unauthenticated, match="session ended"):
        accounts.load_session(db, cookie, 3600, secret=SECRET)
    assert (
        accounts.load_session(db, accounts.dump_session(ann, secret=SECRET), 60, secret=SECRET)
        is ann
    )


def test_password_login(db: Session) -> None:
    make_user(db, "ann@example.org")
    limiter = LoginLimiter(5)
    user = accounts.authenticate_password(
        db, "ANN@example.org", PASSWORD, client_addr="1.2.3.4", limiter=limiter
    )
    assert user.email == "ann@example.org"
    for email, password in (
        ("ann@example.org", "wrong password"),
        ("nobody@example.org", PASSWORD),
    ):
        with pytest.raises(Unauthenticated, match="wrong email or password"):
            accounts.authenticate_password(
                db, email, password, client_addr="1.2.3.4", limiter=limiter
            )


def test_failed_logins_are_rate_limited_per_email_and_address(db: Session) -> None:
    make_user(db, "ann@example.org")
    limiter = LoginLimiter(2)
    now = utcnow()
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            accounts.authenticate_password(
                db,
                "ann@example.org",
                "bad password",
                client_addr="1.2.3.4",
                now=now,
                limiter=limiter,
            )
    with pytest.raises(LoginRateLimited) as info:
        accounts.authenticate_password(
            db, "ann@example.org", PASSWORD, client_addr="1.2.3.4", now=now, limiter=limiter
        )
    assert info.value.retry_after == 60
    accounts.authenticate_password(
        db, "ann@example.org", PASSWORD, client_addr="5.6.7.8", now=now, limiter=limiter
    )
    later = now + timedelta(seconds=61)
    accounts.authenticate_password(
        db, "ann@example.org", PASSWORD, client_addr="1.2.3.4", now=later, limiter=limiter
    )


def test_deactivated_user_cannot_log_in(db: Session) -> None:
    ann = make_user(db, "ann@example.org")
    accounts.deactivate(db, ann, None)
    with pytest.raises(Unauthenticated, match="deactivated"):
        accounts.authenticate_password(
            db, "ann@example.org", PASSWORD, client_addr="1.2.3.4", limiter=LoginLimiter(5)
        )


def test_login_rehashes_an_old_hash(db: Session) -> None:
    ann = make_user(db, "ann@example.org")
    ann.password_hash = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    db.commit()
    old = ann.password_hash
    accounts.authenticate_password(
        db, "ann@example.org", PASSWORD, client_addr="x", limiter=LoginLimiter(5)
    )
    assert ann.password_hash != old and ann.password_hash.startswith("$argon2id$v=19$m=1024,t=1")
    assert not passwords.needs_rehash(ann.password_hash)


# tokens


def test_token_authenticates_and_only_its_hash_is_stored(db: Session) -> None:
    ann = make_user(db, "ann@example.org")
    token, plaintext = accounts.issue_token(db, ann, "export script", actor=ann)
    assert plaintext.startswith("cj_") and len(plaintext) == 46
    assert plaintext not in token.token_hash and len(token.token_hash) == 64
    assert accounts.authenticate_token(db, plaintext) is ann
    assert events(db, "token.issue") == []  # own token: not an administrative change
    assert [t.id for t in accounts.list_tokens(db, ann)] == [token.id]


@pytest.mark.parametrize("plaintext", ["cj_unknown", "Bearer nonsense", ""])
def test_unknown_token_is_refused(db: Session, plaintext: str) -> None:
    with pytest.raises(Unauthenticated):
        accounts.authenticate_token(db, plaintext)


def test_expired_token_is_refused(db: Session) -> None:
    ann = make_user(db, "ann@example.org")
    now = utcnow()
    _, plaintext = accounts.issue_token(db, ann, "t", expires_in=timedelta(days=1), now=now)
    assert accounts.authenticate_token(db, plaintext, now=now + timedelta(hours=23)) is ann
    with pytest.raises(Unauthenticated, match="expired"):
        accounts.authenticate_token(db, plaintext, now=now + timedelta(days=1))


def test_revoked_token_is_refused_and_audited_when_revoked_by_another(db: Session) -> None:
    admin = make_user(db, "root@example.org", "admin")
    ann = make_user(db, "ann@example.org")
    token, plaintext = accounts.issue_token(db, ann, "ci", actor=admin)
    (issued,) = events(db, "token.issue")
    assert issued.actor_id == admin.id and issued.after is not None and issued.after["name"] == "ci"
    accounts.revoke_token(db, token, actor=admin)
    with pytest.raises(Unauthenticated, match="revoked"):
        accounts.authenticate_token(db, plaintext)
    assert events(db, "token.revoke")[0].before == {"name": "ci", "revoked_at": None}
    assert accounts.list_tokens(db, ann) == []


def test_annotator_cannot_issue_tokens_for_others(db: Session) -> None:
    ann = make_user(db, "ann@example.org")
    other = make_user(db, "other@example.org")
    with pytest.raises(Forbidden):
        accounts.issue_token(db, other, "mine now", actor=ann)
    token, _ = accounts.issue_token(db, other, "own", actor=other)
    with pytest.raises(Forbidden):
        accounts.revoke_token(db, token, actor=ann)


def test_last_used_is_updated_at_most_once_a_minute(db: Session) -> None:
    ann = make_user(db, "ann@example.org")
    now = utcnow()
    token, plaintext = accounts.issue_token(db, ann, "t", now=now)
    accounts.authenticate_token(db, plaintext, now=now)
    accounts.authenticate_token(db, plaintext, now=now + timedelta(seconds=30))
    assert token.last_used_at == now
    accounts.authenticate_token(db, plaintext, now=now + timedelta(seconds=61))
    assert token.last_used_at == now + timedelta(seconds=61)


# one-time links


def test_invitation_activates_once(db: Session) -> None:
    manager = make_user(db, "m@example.org", "manager")
    new = accounts.create_user(db, "new@example.org", "New", "annotator", actor=manager)
    token = accounts.create_invite(db, new, manager)
    assert accounts.link_path("invite", token) == f"/invite/{token}"
    with pytest.raises(Unauthenticated, match="not valid"):
        accounts.redeem(db, token, "my new password", kind="reset")
    user = accounts.redeem(db, token, "my new password", kind="invite")
    assert user is new and new.active
    assert (
        accounts.authenticate_password(
            db, "new@example.org", "my new password", client_addr="x", limiter=LoginLimiter(5)
        )
        is new
    )
    with pytest.raises(Unauthenticated, match="already used"):
        accounts.redeem(db, token, "another password")
    assert events(db, "user.invite_link")[0].actor_id == manager.id
    with pytest.raises(Conflict):
        accounts.create_invite(db, new, manager)


def test_link_expires(db: Session) -> None:
    ann = make_user(db, "ann@example.org")
    now = utcnow()
    token = accounts.create_reset(db, ann, None, timedelta(hours=1), now=now)
    with pytest.raises(Unauthenticated, match="expired"):
        accounts.redeem(db, token, "a new long password", now=now + timedelta(hours=1))
    accounts.redeem(db, token, "a new long password", now=now + timedelta(minutes=59))


def test_reset_sets_the_password_and_ends_sessions(db: Session) -> None:
    ann = make_user(db, "ann@example.org")
    cookie = accounts.dump_session(ann, secret=SECRET)
    older = accounts.create_reset(db, ann, None)
    token = accounts.create_reset(db, ann, None)
    with pytest.raises(Unauthenticated):
        accounts.redeem(db, older, "a new long password")  # voided by the newer link
    with pytest.raises(InvalidInput):
        accounts.redeem(db, token, "short")
    accounts.redeem(db, token, "a new long password", kind="reset")
    with pytest.raises(Unauthenticated):
        accounts.load_session(db, cookie, 3600, secret=SECRET)
    limiter = LoginLimiter(5)
    accounts.authenticate_password(
        db, "ann@example.org", "a new long password", client_addr="x", limiter=limiter
    )


def test_deactivation_voids_links(db: Session) -> None:
    new = accounts.create_user(db, "new@example.org", "New", "annotator")
    token = accounts.create_invite(db, new, None)
    accounts.deactivate(db, new, None)
    with pytest.raises(Unauthenticated):
        accounts.redeem(db, token, "my new password")
    assert not new.active


# memberships and access


def test_memberships_are_audited_and_idempotent(db: Session) -> None:
    admin = make_user(db, "root@example.org", "admin")
    ann = make_user(db, "ann@example.org")
    project, other = make_project(db), make_project(db, "beta")
    accounts.add_member(db, project, ann, admin)
    accounts.add_member(db, project, ann, admin)
    assert accounts.is_member(db, project, ann) and not accounts.is_member(db, other, ann)
    assert accounts.members(db, project) == [ann]
    assert accounts.projects_of(db, ann) == [project]
    (added,) = events(db, "project.member_add")
    assert added.project_id == project.id and added.after == {
        "user": "ann@example.org",
        "role": "annotator",
    }
    assert accounts.remove_member(db, project, ann, admin)
    assert not accounts.remove_member(db, project, ann, admin)
    assert accounts.members(db, project) == []
    assert events(db, "project.member_remove")[0].before == {
        "user": "ann@example.org",
        "role": "annotator",
    }


def test_managers_manage_only_their_projects(db: Session) -> None:
    admin = make_user(db, "root@example.org", "admin")
    manager = make_user(db, "m@example.org", "manager")
    ann = make_user(db, "ann@example.org")
    project, other = make_project(db), make_project(db, "beta")
    with pytest.raises(Forbidden, match="does not manage project alpha"):
        accounts.add_member(db, project, ann, manager)
    accounts.add_member(db, project, manager, admin)
    accounts.add_member(db, project, ann, manager)
    assert accounts.can_manage(db, manager, project) and not accounts.can_manage(db, manager, other)
    assert accounts.can_manage(db, admin, other) and not accounts.can_manage(db, ann, project)
    accounts.require_member(db, ann, project)
    accounts.require_member(db, admin, other)
    with pytest.raises(Forbidden, match="not a member of project beta"):
        accounts.require_member(db, ann, other)


# audit log


def test_audit_log_pages_newest_first_and_filters_by_project(db: Session) -> None:
    project = make_project(db)
    ids = [
        accounts.audit(db, None, f"test.{i}", "thing", i, {"n": i}, {"n": i + 1}).id
        for i in range(5)
    ]
    accounts.audit(
        db, None, "test.project", "thing", 9, None, {"at": utcnow()}, project_id=project.id
    )
    page = accounts.audit_log(db, limit=3)
    assert [e.action for e in page] == ["test.project", "test.4", "test.3"]
    rest = accounts.audit_log(db, limit=3, before_id=page[-1].id)
    assert [e.id for e in rest] == [ids[2], ids[1], ids[0]]
    assert [e.action for e in accounts.audit_log(db, project_id=project.id)] == ["test.project"]
    assert accounts.actor_label(db, page[0]) == "cli"


def test_cli_actions_have_no_actor(db: Session) -> None:
    ann = accounts.create_user(db, "ann@example.org", "Ann", "annotator", password=PASSWORD)
    (created,) = events(db, "user.create")
    assert (
        created.actor_id is None
        and created.after is not None
        and created.after["email"] == ann.email
    )


def test_get_user_not_found(db: Session) -> None:
    with pytest.raises(NotFound):
        accounts.get_user(db, 999_999)
    with pytest.raises(NotFound):
        accounts.require_user_by_email(db, "ghost@example.org")


# command line


@pytest.fixture
def cli(
    database_url: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., Result]]:
    """Runs ``codejury ...`` in process against a fresh database of its own."""
    from codejury.cli import common
    from codejury.cli.main import app

    monkeypatch.setenv("CODEJURY_DATABASE_URL", database_url)
    common.settings.cache_clear()
    common.database.cache_clear()
    monkeypatch.setattr(common.console, "width", 200)
    runner = CliRunner()

    def run(*args: str, stdin: str | None = None) -> Result:
        return runner.invoke(app, list(args), input=stdin)

    yield run
    common.database().dispose()
    common.settings.cache_clear()
    common.database.cache_clear()


def test_cli_first_admin_invite_token_and_membership(cli: Callable[..., Result]) -> None:
    from codejury.cli.common import database

    made = cli(
        "user",
        "create",
        "root@example.org",
        "--name",
        "Root",
        "--role",
        "admin",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert made.exit_code == 0, made.output
    assert "created admin root@example.org" in made.output
    invited = cli("user", "invite", "ann@example.org", "--name", "Ann", "--skills", "python,go")
    assert invited.exit_code == 0, invited.output
    path = invited.stdout.strip().splitlines()[-1]
    assert path.startswith("/invite/")
    issued = cli("user", "token", "root@example.org", "--name", "ci", "--days", "30")
    plaintext = issued.stdout.strip().splitlines()[-1]
    with database().session() as s:
        project = make_project(s)
        s.commit()
        ann = accounts.redeem(s, path.removeprefix("/invite/"), "ann's own password")
        assert ann.active and ann.skills == ["python", "go"]
        assert accounts.authenticate_token(s, plaintext).email == "root@example.org"
    assert cli("user", "add-member", "ann@example.org", project.slug).exit_code == 0
    listed = cli("user", "list")
    assert "ann@example.org" in listed.stdout and "root@example.org" in listed.stdout
    assert cli("user", "deactivate", "ann@example.org").exit_code == 0
    with database().session() as s:
        ann = accounts.require_user_by_email(s, "ann@example.org")
        assert not ann.active and accounts.members(s, project) == [ann]
        actions = {e.action for e in accounts.audit_log(s)}
        assert {
            "user.create",
            "user.invite_link",
            "token.issue",
            "project.member_add",
            "user.deactivate",
        } <= actions
        assert all(e.actor_id is None for e in accounts.audit_log(s))
        assert {e.via for e in accounts.audit_log(s)} == {"cli"}
    assert current_channel() is None  # the command's channel ended with it


def test_cli_reports_errors_plainly(cli: Callable[..., Result]) -> None:
    bad = cli("user", "create", "nope", "--name", "X", "--role", "boss")
    assert bad.exit_code == 1
    assert "cannot create user" in bad.stderr and "role: 'boss'" in bad.stderr
    assert cli("user", "reset", "ghost@example.org").exit_code == 1
    both = cli(
        "user",
        "create",
        "a@example.org",
        "--name",
        "A",
        "--password",
        PASSWORD,
        "--password-stdin",
        stdin="x\n",
    )
    assert both.exit_code == 1 and "not both" in both.stderr
    assert cli("user", "add-member", "a@example.org", "nowhere").exit_code == 1
