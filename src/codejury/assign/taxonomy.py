"""The fixed vocabularies of a judgment: code error categories, severities, skip reasons.

Exports, quality reports and the annotator page all read these constants, so a new category is added
here once (and documented in ``docs/assignment.md``).
"""

from __future__ import annotations

from typing import Final

# What kind of mistake an error span marks in a candidate.
ERROR_CATEGORIES: Final[tuple[str, ...]] = (
    "logic",
    "off_by_one",
    "edge_case",
    "wrong_api",
    "hallucinated_api",
    "security",
    "performance",
    "incomplete",
    "does_not_compile",
    "style",
    "other",
)

SEVERITIES: Final[tuple[str, ...]] = ("minor", "major", "critical")

# Why an annotator passed on an item. A skip is stored, never counted, and leaves the item open.
SKIP_REASONS: Final[tuple[str, ...]] = (
    "unclear_prompt",
    "outside_expertise",
    "harmful_content",
    "other",
)

# Work events an annotator's client may declare (besides lease/submit/skip/release written here).
DECLARED_EVENT_KINDS: Final[tuple[str, ...]] = (
    "guidelines",
    "idle",
    "practice",
    "qualification",
    "rework",
    "break",
)

# Pairwise preference strength: 0 is a tie, 1 better, 2 much better.
STRENGTH_MIN: Final = 0
STRENGTH_MAX: Final = 2
