"""A studio app on a fresh database, driven in process, with helpers to make users."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.testclient import TestClient

from codejury.accounts import create_user, issue_token
from codejury.db import Database
from codejury.db.models import User


@dataclass
class Studio:
    db: Database
    client: TestClient

    def user(
        self, email: str, role: str = "annotator", **kw: object
    ) -> tuple[User, dict[str, str]]:
        """A user and the Authorization header of a fresh API token of theirs."""
        with self.db.session() as s:
            user = create_user(
                s, email, email.split("@")[0], role, password="correct horse battery", **kw
            )  # type: ignore[arg-type]
            _, token = issue_token(s, user, "test")
        return user, {"Authorization": f"Bearer {token}"}
