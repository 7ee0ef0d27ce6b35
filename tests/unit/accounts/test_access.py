import pytest

from codejury.accounts.access import (
    can_act_on_user,
    check_account_change,
    require_grant,
    require_role,
)
from codejury.db.models import User
from codejury.errors import Forbidden


def _user(uid: int, role: str, active: bool = True) -> User:
    return User(id=uid, email=f"{role}{uid}@example.org", name=role, role=role, active=active)


def test_require_role_names_what_was_needed() -> None:
    require_role(_user(1, "manager"), "admin", "manager")
    with pytest.raises(Forbidden, match=r"admin or manager role; annotator3@example\.org is"):
        require_role(_user(3, "annotator"), "admin", "manager")


def test_deactivated_user_has_no_role() -> None:
    with pytest.raises(Forbidden, match="deactivated"):
        require_role(_user(1, "admin", active=False), "admin")


@pytest.mark.parametrize(
    ("actor", "target", "allowed"),
    [
        ("admin", "admin", True),
        ("admin", "manager", True),
        ("manager", "annotator", True),
        ("manager", "manager", False),
        ("manager", "admin", False),
        ("annotator", "annotator", False),
    ],
)
def test_who_may_change_whose_account(actor: str, target: str, allowed: bool) -> None:
    assert can_act_on_user(_user(1, actor), _user(2, target)) is allowed


def test_only_admins_grant_manager_and_admin() -> None:
    require_grant(_user(1, "manager"), "annotator")
    require_grant(_user(1, "admin"), "manager")
    with pytest.raises(Forbidden, match="may not give the manager role"):
        require_grant(_user(1, "manager"), "manager")
    with pytest.raises(Forbidden):
        require_grant(_user(1, "annotator"), "annotator")


def test_account_change_rules() -> None:
    annotator = _user(5, "annotator")
    check_account_change(None, annotator, role="admin")  # the command line may do anything
    check_account_change(annotator, annotator)  # own profile
    with pytest.raises(Forbidden):
        check_account_change(annotator, annotator, role="manager")
    with pytest.raises(Forbidden):
        check_account_change(_user(6, "manager"), annotator, role="admin")
    with pytest.raises(Forbidden):
        check_account_change(annotator, _user(7, "annotator"))
