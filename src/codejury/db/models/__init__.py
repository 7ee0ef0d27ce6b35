"""All tables. Import from here: ``from codejury.db.models import Project``."""

from codejury.db.base import Base
from codejury.db.models.accounts import ROLES, ApiToken, AuditEvent, Membership, OneTimeLink, User
from codejury.db.models.outputs import CandidateScore, Export, ExportContributor, TrainingRun
from codejury.db.models.pay import PayLine, PayRate, PayStatement
from codejury.db.models.projects import (
    Candidate,
    GenerationCache,
    GuidelineVersion,
    Project,
    RubricVersion,
    Task,
)
from codejury.db.models.quality import Appeal, Flag, GoldContest, QualificationAttempt, Review
from codejury.db.models.work import (
    Assignment,
    ErrorSpan,
    Item,
    ItemCandidate,
    Judgment,
    WorkEvent,
    candidate_key,
)

__all__ = [
    "ROLES",
    "ApiToken",
    "Appeal",
    "Assignment",
    "AuditEvent",
    "Base",
    "Candidate",
    "CandidateScore",
    "ErrorSpan",
    "Export",
    "ExportContributor",
    "Flag",
    "GenerationCache",
    "GoldContest",
    "GuidelineVersion",
    "Item",
    "ItemCandidate",
    "Judgment",
    "Membership",
    "OneTimeLink",
    "PayLine",
    "PayRate",
    "PayStatement",
    "Project",
    "QualificationAttempt",
    "Review",
    "RubricVersion",
    "Task",
    "TrainingRun",
    "User",
    "WorkEvent",
    "candidate_key",
]
