"""The group claims of an ID token: cognito:groups, cognito:roles, cognito:preferred_role (API reference,
CreateGroup, Precedence; Developer Guide, "Adding groups to a user pool", "Assigning precedence values to
groups")."""

from __future__ import annotations

from cognate.domain.auth.model import Group
from cognate.domain.tokens.claims import group_claims, preferred_role

ADMIN = "arn:aws:iam::000000000000:role/admin"
EDITOR = "arn:aws:iam::000000000000:role/editor"
READER = "arn:aws:iam::000000000000:role/reader"


def group(name: str, role: str | None = None, precedence: int | None = None) -> Group:
    return Group(pool_id="us-east-1_Unit00001", name=name, created=1.0, modified=1.0, role_arn=role,
                 precedence=precedence)


def test_no_groups_no_claims() -> None:
    assert group_claims([]) == {}


def test_groups_without_roles_give_only_cognito_groups() -> None:
    assert group_claims([group("b"), group("a", precedence=3)]) == {"cognito:groups": ["a", "b"]}


def test_lowest_precedence_wins() -> None:
    claims = group_claims([group("readers", READER, 10), group("admins", ADMIN, 0), group("editors", EDITOR, 5)])
    assert claims == {"cognito:groups": ["admins", "editors", "readers"],
                      "cognito:roles": [ADMIN, EDITOR, READER],
                      "cognito:preferred_role": ADMIN}


def test_zero_is_the_top_precedence() -> None:
    assert preferred_role([group("a", EDITOR, 1), group("b", ADMIN, 0)]) == ADMIN


def test_a_null_precedence_ranks_below_every_precedence() -> None:
    assert preferred_role([group("a", ADMIN), group("b", READER, 2**31 - 1)]) == READER


def test_a_tie_at_the_top_with_different_roles_has_no_preferred_role() -> None:
    claims = group_claims([group("a", ADMIN, 1), group("b", EDITOR, 1), group("c", READER, 2)])
    assert claims["cognito:roles"] == [ADMIN, EDITOR, READER]
    assert "cognito:preferred_role" not in claims


def test_a_tie_at_the_top_with_the_same_role_prefers_that_role() -> None:
    claims = group_claims([group("a", ADMIN, 1), group("b", ADMIN, 1), group("c", READER, 2)])
    assert claims["cognito:roles"] == [ADMIN, READER]
    assert claims["cognito:preferred_role"] == ADMIN


def test_a_tie_below_the_top_does_not_matter() -> None:
    assert preferred_role([group("a", ADMIN, 0), group("b", EDITOR, 1), group("c", READER, 1)]) == ADMIN


def test_groups_without_a_role_do_not_take_part() -> None:
    """The preferred role is "the group with the lowest precedence value whose role ARN is given"."""
    claims = group_claims([group("top", None, 0), group("mid", EDITOR, 5)])
    assert claims["cognito:groups"] == ["top", "mid"]
    assert claims["cognito:roles"] == [EDITOR]
    assert claims["cognito:preferred_role"] == EDITOR


def test_groups_without_precedence_tie_with_each_other() -> None:
    assert preferred_role([group("a", ADMIN), group("b", EDITOR)]) is None
    assert preferred_role([group("a", ADMIN), group("b", ADMIN)]) == ADMIN


def test_a_single_role_without_precedence_is_preferred() -> None:
    claims = group_claims([group("only", ADMIN), group("plain")])
    assert claims["cognito:roles"] == [ADMIN]
    assert claims["cognito:preferred_role"] == ADMIN


def test_groups_without_precedence_lose_to_any_with_one() -> None:
    assert preferred_role([group("a", ADMIN), group("b", EDITOR), group("c", READER, 7)]) == READER


def test_no_role_no_preferred_role() -> None:
    assert preferred_role([group("a", None, 0), group("b")]) is None
    assert "cognito:preferred_role" not in group_claims([group("a", None, 0)])


def test_roles_are_a_json_array_without_duplicates_in_precedence_order() -> None:
    claims = group_claims([group("z", ADMIN, 3), group("y", EDITOR, 1), group("x", ADMIN, 2), group("w", READER)])
    assert claims["cognito:roles"] == [EDITOR, ADMIN, READER]
    assert claims["cognito:groups"] == ["y", "x", "z", "w"]


def test_equal_precedence_lists_by_name() -> None:
    assert group_claims([group("b", precedence=1), group("B", precedence=1), group("a", precedence=1)]) == \
        {"cognito:groups": ["B", "a", "b"]}
