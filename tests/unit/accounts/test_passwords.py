import pytest
from argon2 import PasswordHasher

from codejury.accounts.passwords import (
    MIN_LENGTH,
    check_strength,
    hash_password,
    needs_rehash,
    verify_password,
)
from codejury.errors import InvalidInput


def test_hash_verifies_only_the_same_password() -> None:
    stored = hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert verify_password(stored, "correct horse battery")
    assert not verify_password(stored, "correct horse battery!")


def test_two_hashes_of_one_password_differ() -> None:
    assert hash_password("same password 1") != hash_password("same password 1")


def test_short_password_is_refused_with_its_length() -> None:
    with pytest.raises(InvalidInput) as info:
        check_strength("x" * (MIN_LENGTH - 1))
    assert f"got {MIN_LENGTH - 1}" in str(info.value)
    check_strength("x" * MIN_LENGTH)


def test_blank_password_is_refused() -> None:
    with pytest.raises(InvalidInput, match="whitespace"):
        hash_password(" " * 12)


def test_unreadable_hash_does_not_verify() -> None:
    assert not verify_password("not-a-hash", "whatever password")


def test_hash_with_weaker_parameters_needs_rehash() -> None:
    old = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("old parameters")
    assert needs_rehash(old)
    assert not needs_rehash(hash_password("new parameters"))
    assert verify_password(old, "old parameters")
