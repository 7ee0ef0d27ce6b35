"""Content identity of a candidate: whitespace does not make two programs different.

``normalized_hash`` is shared by every path that creates candidates (import, generation,
mutation), so that a task never holds the same program twice (``UNIQUE(task_id, content_hash)``).
"""

from __future__ import annotations

import hashlib


def normalize_whitespace(content: str) -> str:
    """Collapse every run of whitespace to one space and strip both ends."""
    return " ".join(content.split())


def normalized_hash(content: str) -> str:
    """SHA-256 (hex) of the whitespace-normalised content."""
    return hashlib.sha256(normalize_whitespace(content).encode("utf-8")).hexdigest()
