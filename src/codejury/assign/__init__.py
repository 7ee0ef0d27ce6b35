"""Assignment engine and judgment intake: who gets which item, and what comes back.

Plain functions taking a ``Session`` first; each owns its transaction (commits at the end).
Rules and guarantees: ``docs/assignment.md``.
"""

from codejury.assign.eligibility import (
    BaseFilter,
    EligibilityFilter,
    FilterContext,
    FilterRegistry,
    core_filters,
    registry,
)
from codejury.assign.events import record_event, record_idle
from codejury.assign.judgments import (
    own_judgment,
    revise_judgment,
    revision_refusal,
    submit_judgment,
)
from codejury.assign.leases import expire_leases, next_item_for, release
from codejury.assign.progress import (
    AnnotatorProgress,
    GoldPool,
    ProjectProgress,
    gold_pool_status,
    progress_for,
    project_progress,
)
from codejury.assign.schemas import ErrorSpanIn, JudgmentIn, Lease, NoWork, SubmitResult

__all__ = [
    "AnnotatorProgress",
    "BaseFilter",
    "EligibilityFilter",
    "ErrorSpanIn",
    "FilterContext",
    "FilterRegistry",
    "GoldPool",
    "JudgmentIn",
    "Lease",
    "NoWork",
    "ProjectProgress",
    "SubmitResult",
    "core_filters",
    "expire_leases",
    "gold_pool_status",
    "next_item_for",
    "own_judgment",
    "progress_for",
    "project_progress",
    "record_event",
    "record_idle",
    "registry",
    "release",
    "revise_judgment",
    "revision_refusal",
    "submit_judgment",
]
