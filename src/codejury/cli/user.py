"""``codejury user``: people, invitations, resets, tokens and memberships from the command line.

Commands act without an actor (the audit log shows them as ``cli``): whoever can run the CLI on the
server already holds the data folder. This is how the first admin is made.
"""

from __future__ import annotations

import sys
from datetime import timedelta

import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from codejury import accounts
from codejury.cli.common import console, err_console, session
from codejury.db.models import Project
from codejury.errors import InvalidInput, NotFound

user_app = typer.Typer(
    help="People, invitations, resets, API tokens and memberships.", no_args_is_help=True
)

ROLE_HELP = "admin, manager or annotator"


def _skills(text: str) -> list[str]:
    return [s for s in (part.strip() for part in text.split(",")) if s]


def _read_password(password: str | None, password_stdin: bool) -> str | None:
    if password is not None and password_stdin:
        raise InvalidInput("give --password or --password-stdin, not both")
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return password


@user_app.command("create")
def create(
    email: str,
    name: str = typer.Option(..., "--name", help="Full name."),
    role: str = typer.Option("annotator", "--role", help=ROLE_HELP),
    password: str | None = typer.Option(
        None, "--password", help="Visible in shell history; prefer --password-stdin."
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
    skills: str = typer.Option("", "--skills", help="Comma-separated, e.g. python,javascript."),
    timezone: str = typer.Option("UTC", "--timezone", help="IANA time zone, e.g. Europe/Berlin."),
) -> None:
    """Create a user; without a password they wait for an invitation (`codejury user invite`)."""
    with session() as s:
        secret = _read_password(password, password_stdin)
        user = accounts.create_user(
            s, email, name, role, password=secret, skills=_skills(skills), timezone=timezone
        )
        state = (
            "active" if user.active else "pending: run `codejury user invite` to hand over a link"
        )
        console.print(
            f"created {user.role} {user.email} ({user.pseudonym}), {state}", highlight=False
        )


@user_app.command("list")
def list_(
    role: str | None = typer.Option(None, "--role", help="Only this role."),
) -> None:
    """List users."""
    with session() as s:
        table = Table()
        for column in ("id", "email", "name", "role", "pseudonym", "active", "skills", "timezone"):
            table.add_column(column, overflow="fold")
        for user in accounts.list_users(s, role=role):
            active = "yes" if user.active else ("pending" if user.password_hash is None else "no")
            table.add_row(
                str(user.id),
                user.email,
                user.name,
                user.role,
                user.pseudonym,
                active,
                ",".join(user.skills),
                user.timezone,
            )
        console.print(table)


@user_app.command("invite")
def invite(
    email: str,
    name: str | None = typer.Option(None, "--name", help="Full name (needed for a new user)."),
    role: str = typer.Option("annotator", "--role", help=ROLE_HELP),
    skills: str = typer.Option("", "--skills", help="Comma-separated, e.g. python,javascript."),
    timezone: str = typer.Option("UTC", "--timezone", help="IANA time zone."),
    days: int = typer.Option(7, "--days", min=1, help="Days before the link expires."),
) -> None:
    """Invite someone (creating the user if needed) and print the one-time link path."""
    with session() as s:
        user = accounts.get_user_by_email(s, email)
        if user is None:
            if not name:
                raise InvalidInput("a new user needs --name")
            user = accounts.create_user(
                s, email, name, role, skills=_skills(skills), timezone=timezone
            )
        token = accounts.create_invite(s, user, None, timedelta(days=days))
        err_console.print(f"invitation for {user.email}, valid {days} days; hand over this path:")
        console.print(accounts.link_path("invite", token), highlight=False, soft_wrap=True)


@user_app.command("reset")
def reset(
    email: str,
    days: int = typer.Option(1, "--days", min=1, help="Days before the link expires."),
) -> None:
    """Make a one-time password reset link and print its path."""
    with session() as s:
        user = accounts.require_user_by_email(s, email)
        token = accounts.create_reset(s, user, None, timedelta(days=days))
        err_console.print(
            f"password reset for {user.email}, valid {days} days; hand over this path:"
        )
        console.print(accounts.link_path("reset", token), highlight=False, soft_wrap=True)


@user_app.command("deactivate")
def deactivate(email: str) -> None:
    """Refuse further logins, end sessions and revoke API tokens."""
    with session() as s:
        user = accounts.deactivate(s, accounts.require_user_by_email(s, email), None)
        console.print(f"deactivated {user.email}", highlight=False)


@user_app.command("reactivate")
def reactivate(email: str) -> None:
    """Allow a deactivated user to log in again (tokens stay revoked)."""
    with session() as s:
        user = accounts.reactivate(s, accounts.require_user_by_email(s, email), None)
        console.print(f"reactivated {user.email}", highlight=False)


@user_app.command("token")
def token(
    email: str,
    name: str = typer.Option(..., "--name", help="What the token is for, e.g. 'export script'."),
    days: int = typer.Option(90, "--days", min=0, help="Days until it expires; 0 = until revoked."),
) -> None:
    """Issue an API token and print it (it is shown this once)."""
    with session() as s:
        user = accounts.require_user_by_email(s, email)
        lifetime = timedelta(days=days) if days else None
        _, plaintext = accounts.issue_token(s, user, name, expires_in=lifetime)
        err_console.print(f"API token {name!r} for {user.email}; it will not be shown again:")
        console.print(plaintext, highlight=False, soft_wrap=True)


@user_app.command("add-member")
def add_member(email: str, project_slug: str) -> None:
    """Add a user to a project."""
    with session() as s:
        user = accounts.require_user_by_email(s, email)
        project = _project(s, project_slug)
        accounts.add_member(s, project, user, None)
        console.print(f"{user.email} is a member of {project.slug}", highlight=False)


@user_app.command("remove-member")
def remove_member(email: str, project_slug: str) -> None:
    """Remove a user from a project."""
    with session() as s:
        user = accounts.require_user_by_email(s, email)
        project = _project(s, project_slug)
        removed = accounts.remove_member(s, project, user, None)
        verb = "removed from" if removed else "was not a member of"
        console.print(f"{user.email} {verb} {project.slug}", highlight=False)


def _project(s: Session, slug: str) -> Project:
    project = s.scalar(select(Project).where(Project.slug == slug))
    if project is None:
        raise NotFound(f"no project with slug {slug}")
    return project


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
