"""The one exception tree of CodeJury.

::

    CodeJuryError
    ├── NotFound            a named record does not exist
    ├── Conflict            the request clashes with stored state (duplicate, changed content, lease lost)
    ├── InvalidInput        input that fails validation; ``problems`` lists each one with where it is
    ├── Forbidden           the caller may not do this
    ├── Unauthenticated     no valid session or token
    ├── RateLimited         too many attempts; retry later
    ├── SandboxUnavailable  candidate code cannot be run safely here
    └── DependencyMissing   an optional extra (e.g. ``train``) is not installed

Domain errors carry no HTTP status; ``codejury.web.errors`` maps them.
Candidate code that fails is a result (``ExecutionResult(status="failed")``), never an exception.
"""

from __future__ import annotations

from collections.abc import Sequence


class CodeJuryError(Exception):
    """Base of every error CodeJury raises on purpose."""


class NotFound(CodeJuryError):
    pass


class Conflict(CodeJuryError):
    pass


class InvalidInput(CodeJuryError):
    """Bad input. ``problems`` holds one line per problem, each naming what and where."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)

    def __str__(self) -> str:
        head = super().__str__()
        if not self.problems:
            return head
        return head + "\n" + "\n".join(self.problems)


class Forbidden(CodeJuryError):
    pass


class Unauthenticated(CodeJuryError):
    pass


class RateLimited(CodeJuryError):
    pass


class SandboxUnavailable(CodeJuryError):
    pass


class DependencyMissing(CodeJuryError):
    pass
