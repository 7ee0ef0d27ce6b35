from __future__ import annotations

import hashlib

from codejury.candidates.hashing import normalize_whitespace, normalized_hash


def test_whitespace_runs_collapse_and_ends_are_stripped() -> None:
    assert normalize_whitespace("  def f():\n\treturn  1 \n\n") == "def f(): return 1"


def test_hash_ignores_layout_but_not_content() -> None:
    a = normalized_hash("def f():\n    return 1\n")
    assert a == normalized_hash("def f():\r\n        return 1")
    assert a != normalized_hash("def f():\n    return 2\n")
    assert a == hashlib.sha256(b"def f(): return 1").hexdigest()
