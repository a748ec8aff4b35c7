"""Row-level authorisation for the demo: who is signed in, and which accounts
they may see ("sales reps see only their accounts, admins see all").

ShinyProxy tells the app who the user is in two ways: the environment variables
SHINYPROXY_USERNAME and SHINYPROXY_USERGROUPS of the container it starts for the
user, and the X-SP-UserId / X-SP-UserGroups headers it adds to every request
(the only way when containers are started ahead of time, `seats` in
shinykit.yaml). Groups come comma-separated and ShinyProxy upper-cases
them, so they are compared case-insensitively. Kept free of any dash import so
it can be tested on its own (test_accounts.py).
"""

from __future__ import annotations

import os
from typing import Iterable, List, Mapping, Optional, Sequence, Tuple

# Demo data: in a real app this is a query filtered in the database.
ACCOUNTS = [
    {"account": "Acme Corp", "region": "North", "owner": "ana@example.org", "revenue": 120_000},
    {"account": "Globex", "region": "North", "owner": "ana@example.org", "revenue": 87_500},
    {"account": "Initech", "region": "South", "owner": "bo@example.org", "revenue": 64_000},
    {"account": "Umbrella", "region": "East", "owner": "bo@example.org", "revenue": 210_000},
    {"account": "Hooli", "region": "West", "owner": "cy@example.org", "revenue": 45_250},
]

#: Groups that see every account; override with the ADMIN_GROUPS environment variable.
DEFAULT_ADMIN_GROUPS = ("admin_users",)


def parse_groups(value: Optional[str]) -> List[str]:
    """`"ADMIN_USERS, dash_users"` -> `["admin_users", "dash_users"]` (lower-cased, no blanks, no repeats)."""
    out: List[str] = []
    for part in (value or "").split(","):
        group = part.strip().lower()
        if group and group not in out:
            out.append(group)
    return out


def current_user(env: Optional[Mapping[str, str]] = None, headers: Optional[Mapping[str, str]] = None) -> Tuple[str, List[str]]:
    """The signed-in user's name (email) and groups. The container's environment
    wins; the request headers are the fallback for pre-started containers."""
    env = os.environ if env is None else env
    headers = headers or {}
    name = (env.get("SHINYPROXY_USERNAME") or "").strip()
    if name:
        return name.lower(), parse_groups(env.get("SHINYPROXY_USERGROUPS"))
    return (headers.get("X-SP-UserId") or "").strip().lower(), parse_groups(headers.get("X-SP-UserGroups"))


def admin_groups(env: Optional[Mapping[str, str]] = None) -> List[str]:
    env = os.environ if env is None else env
    return parse_groups(env.get("ADMIN_GROUPS")) or list(DEFAULT_ADMIN_GROUPS)


def is_admin(groups: Iterable[str], admins: Sequence[str] = DEFAULT_ADMIN_GROUPS) -> bool:
    wanted = {g.lower() for g in admins}
    return any(g.lower() in wanted for g in groups)


def visible_accounts(username: str, groups: Iterable[str], accounts: Sequence[Mapping] = ACCOUNTS,
                     admins: Sequence[str] = DEFAULT_ADMIN_GROUPS) -> List[Mapping]:
    """Every account for an admin; otherwise only the accounts the user owns.
    An unknown user (no name) sees nothing: deny by default."""
    if is_admin(groups, admins):
        return list(accounts)
    user = (username or "").strip().lower()
    if not user:
        return []
    return [a for a in accounts if str(a.get("owner", "")).lower() == user]
