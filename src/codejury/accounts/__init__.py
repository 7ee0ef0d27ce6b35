"""Accounts: people, credentials, access rules and the audit log.

Modules, one concept each:

- :mod:`~codejury.accounts.users`: create, change, deactivate people; passwords.
- :mod:`~codejury.accounts.memberships`: who belongs to which project.
- :mod:`~codejury.accounts.access`: authorisation rules (``require_role``, ``can_manage``...).
- :mod:`~codejury.accounts.passwords`: Argon2id hashing.
- :mod:`~codejury.accounts.login`: password login with a failed-attempt limit.
- :mod:`~codejury.accounts.sessions`: signed session cookies, CSRF, client address behind proxies.
- :mod:`~codejury.accounts.tokens`: personal API tokens.
- :mod:`~codejury.accounts.links`: invitations and password resets as one-time links.
- :mod:`~codejury.accounts.audit`: the audit log other features write to as well.

Functions that change the database commit their own unit of work, except :func:`audit`, which joins
the caller's.
"""

from codejury.accounts.access import (
    can_access,
    can_act_on_user,
    can_manage,
    is_member,
    require_active,
    require_grant,
    require_manager,
    require_member,
    require_role,
    require_user_admin,
)
from codejury.accounts.audit import actor_label, audit, audit_channel, audit_log
from codejury.accounts.links import create_invite, create_reset, link_path, peek, redeem
from codejury.accounts.login import LoginLimiter, LoginRateLimited, authenticate_password
from codejury.accounts.memberships import add_member, members, projects_of, remove_member
from codejury.accounts.sessions import (
    COOKIE_NAME,
    check_csrf,
    client_address,
    csrf_token,
    dump_session,
    load_session,
)
from codejury.accounts.tokens import (
    authenticate_token,
    get_token,
    issue_token,
    list_tokens,
    revoke_token,
)
from codejury.accounts.users import (
    create_user,
    deactivate,
    get_user,
    get_user_by_email,
    list_users,
    reactivate,
    require_user_by_email,
    set_password,
    update_user,
)

__all__ = [
    "COOKIE_NAME",
    "LoginLimiter",
    "LoginRateLimited",
    "actor_label",
    "add_member",
    "audit",
    "audit_channel",
    "audit_log",
    "authenticate_password",
    "authenticate_token",
    "can_access",
    "can_act_on_user",
    "can_manage",
    "check_csrf",
    "client_address",
    "create_invite",
    "create_reset",
    "create_user",
    "csrf_token",
    "deactivate",
    "dump_session",
    "get_token",
    "get_user",
    "get_user_by_email",
    "is_member",
    "issue_token",
    "link_path",
    "list_tokens",
    "list_users",
    "load_session",
    "members",
    "peek",
    "projects_of",
    "reactivate",
    "redeem",
    "remove_member",
    "require_active",
    "require_grant",
    "require_manager",
    "require_member",
    "require_role",
    "require_user_admin",
    "require_user_by_email",
    "revoke_token",
    "set_password",
    "update_user",
]
