"""The role x field matrix: for every role (and every grant a STANDARD member may get), each guarded field
gives data when the contract allows it, and null plus one FORBIDDEN error at its path when not, while the
rest of the query still resolves. Expectations come from the contract's comments, written out below."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from models.access import Permission, Role
from models.accounts.models import Account
from models.db.clock import utcnow
from models.members.models import Member
from models.security.passwords import Passwords
from tests.support import gql, make_member, sign_in

MATRIX = """
{
  account {
    number name timeZone serviceAddress { city } contactEmail
    primary { username email phone lastSignInAt twoFactorEnabled }
    members {
      totalCount
      edges { node { username email phone lastSignInAt twoFactorEnabled pendingEmail securityQuestion } }
    }
  }
  me {
    username email phone pendingEmail pendingPhone securityQuestion sessions { current }
    notificationPreferences { billing } twoFactorEnabled lastSignInAt
  }
}
"""

# From contract.graphql: field -> (permissions that allow it, whether the member themself may read it).
# Fields not listed are readable by anyone who can see the object.
RULES: dict[str, tuple[frozenset[str], bool]] = {
    "contactEmail": (frozenset({"MANAGE_ACCOUNT"}), False),
    "members": (frozenset({"VIEW_MEMBERS"}), False),
    "email": (frozenset({"MANAGE_MEMBERS"}), True),
    "phone": (frozenset({"MANAGE_MEMBERS"}), True),
    "twoFactorEnabled": (frozenset({"MANAGE_MEMBERS"}), True),
    "lastSignInAt": (frozenset({"VIEW_MEMBERS"}), True),
    "pendingEmail": (frozenset(), True),
    "pendingPhone": (frozenset(), True),
    "securityQuestion": (frozenset(), True),
    "sessions": (frozenset(), True),
    "notificationPreferences": (frozenset(), True),
}
EVERY_PERMISSION = frozenset(
    {
        "VIEW_BILLING",
        "PAY_BILLS",
        "MANAGE_PAYMENT_METHODS",
        "MANAGE_SERVICES",
        "MANAGE_ACCOUNT",
        "VIEW_MEMBERS",
        "MANAGE_MEMBERS",
        "VIEW_ACTIVITY",
    }
)
ROLE_PERMISSIONS = {
    "PRIMARY": EVERY_PERMISSION,
    "MANAGER": EVERY_PERMISSION - {"MANAGE_MEMBERS"},
    "STANDARD": frozenset(),
}
GRANTABLE_TO_STANDARD = ("VIEW_BILLING", "PAY_BILLS", "MANAGE_SERVICES", "VIEW_MEMBERS")
CASES = [("PRIMARY", ()), ("MANAGER", ()), ("STANDARD", ())] + [
    ("STANDARD", (g,)) for g in GRANTABLE_TO_STANDARD
]

ACCOUNT_FIELDS = ("number", "name", "timeZone", "serviceAddress", "contactEmail", "primary", "members")
PRIMARY_FIELDS = ("username", "email", "phone", "lastSignInAt", "twoFactorEnabled")
LISTED_FIELDS = (
    "username",
    "email",
    "phone",
    "lastSignInAt",
    "twoFactorEnabled",
    "pendingEmail",
    "securityQuestion",
)
ME_FIELDS = (
    "username",
    "email",
    "phone",
    "pendingEmail",
    "pendingPhone",
    "securityQuestion",
    "sessions",
    "notificationPreferences",
    "twoFactorEnabled",
    "lastSignInAt",
)

Path = tuple[str | int, ...]


def allowed(field: str, permissions: frozenset[str], is_self: bool) -> bool:
    needed, self_may = RULES.get(field, (None, True))
    if needed is None:
        return True
    return bool(needed & permissions) or (self_may and is_self)


def expectations(permissions: frozenset[str], viewer: str, listed: list[str]) -> dict[Path, bool]:
    """Every guarded or plain field of MATRIX by path -> whether it gives data."""
    expected: dict[Path, bool] = {}
    for field in ACCOUNT_FIELDS:
        expected[("account", field)] = allowed(field, permissions, is_self=False)
    for field in PRIMARY_FIELDS:
        expected[("account", "primary", field)] = allowed(field, permissions, is_self=viewer == "alice")
    if expected[("account", "members")]:
        expected[("account", "members", "totalCount")] = True
        for index, username in enumerate(listed):
            for field in LISTED_FIELDS:
                path = ("account", "members", "edges", index, "node", field)
                expected[path] = allowed(field, permissions, is_self=username == viewer)
    for field in ME_FIELDS:
        expected[("me", field)] = allowed(field, permissions, is_self=True)
    return expected


def value_at(data: Any, path: Path) -> Any:
    for step in path:
        data = data[step]
    return data


async def household(passwords: Passwords, role: str, grants: tuple[str, ...]) -> tuple[str, list[str]]:
    """alice (PRIMARY), the viewer with `role` and `grants` (alice herself for PRIMARY), and bob (STANDARD),
    every field of each filled in, so an allowed field never answers null."""
    account = await Account.create(
        number="1000000001",
        name="The Smiths",
        contact_email="smiths@example.com",
        time_zone="America/Chicago",
        service_address={
            "line1": "1 Elm St",
            "city": "Springfield",
            "region": "IL",
            "postalCode": "62701",
            "country": "US",
        },
    )
    await make_member(account, "alice", role=Role.PRIMARY, phone="+13125550100", passwords=passwords)
    viewer = "alice"
    if role != "PRIMARY":
        viewer = "viewer"
        await make_member(
            account,
            viewer,
            role=Role(role),
            grants=tuple(Permission(g) for g in grants),
            phone="+13125550101",
            passwords=passwords,
        )
    await make_member(account, "bob", phone="+13125550102", passwords=passwords)
    await Member.filter(account_id=account.id).update(
        pending_email="new@example.com", pending_phone="+13125550199", last_sign_in_at=utcnow()
    )
    listed = ["alice", "viewer", "bob"] if viewer == "viewer" else ["alice", "bob"]
    return viewer, listed


@pytest.mark.parametrize(
    ("role", "grants"), CASES, ids=[f"{r}{'+' + '+'.join(g) if g else ''}" for r, g in CASES]
)
async def test_each_role_sees_exactly_what_the_contract_allows(
    client: httpx.AsyncClient, passwords: Passwords, role: str, grants: tuple[str, ...]
) -> None:
    # given
    viewer, listed = await household(passwords, role, grants)
    token = await sign_in(client, viewer)
    expected = expectations(ROLE_PERMISSIONS[role] | set(grants), viewer, listed)
    # when
    body = await gql(client, MATRIX, token=token)
    # then each denied field is null with one FORBIDDEN error at its path, and nothing else failed
    denied = sorted((path for path, ok in expected.items() if not ok), key=str)
    errors = body.get("errors", [])
    assert sorted((tuple(error["path"]) for error in errors), key=str) == denied
    assert {error["extensions"]["code"] for error in errors} <= {"FORBIDDEN"}
    data = body["data"]
    for path, ok in expected.items():
        value = value_at(data, path)
        assert (value is not None) == ok, (path, value)
    # and the rest resolved, with the members each viewer may list
    assert data["account"]["number"] == "1000000001"
    assert data["account"]["primary"]["username"] == "alice"
    assert data["me"]["username"] == viewer
    if expected[("account", "members")]:
        assert [edge["node"]["username"] for edge in data["account"]["members"]["edges"]] == listed
        assert data["account"]["members"]["totalCount"] == len(listed)


def test_the_matrix_covers_both_outcomes_for_every_guarded_field() -> None:
    # given every case's expectations
    seen: dict[str, set[bool]] = {field: set() for field in RULES}
    for role, grants in CASES:
        viewer = "alice" if role == "PRIMARY" else "viewer"
        listed = ["alice", "viewer", "bob"] if viewer == "viewer" else ["alice", "bob"]
        for path, ok in expectations(ROLE_PERMISSIONS[role] | set(grants), viewer, listed).items():
            if path[-1] in seen:
                seen[str(path[-1])].add(ok)
    # then each rule is shown both granting and refusing (the self-only fields refuse on other members)
    refused_somewhere = {field for field, outcomes in seen.items() if False in outcomes}
    granted_somewhere = {field for field, outcomes in seen.items() if True in outcomes}
    assert granted_somewhere == set(RULES)
    assert refused_somewhere == set(RULES) - {"pendingPhone", "sessions", "notificationPreferences"}
