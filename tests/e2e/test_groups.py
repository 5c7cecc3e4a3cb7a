"""User pool groups through boto3, on both stores: CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup,
AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser and ListUsersInGroup, their errors and
quotas (API reference of each; Developer Guide, "Adding groups to a user pool"), and the group claims of the
tokens a sign-in then gets (Developer Guide, "Using the ID token", "Using the access token")."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError
from joserfc import jwt
from joserfc.jwk import KeySet
from sqlalchemy import create_engine, insert

from cognate.config import Settings
from cognate.store.sql.tables import groups as groups_table
from support.aws import error_of
from support.factories import create_client, create_pool, strong_password, unique_email, unique_name
from support.server import CognateServer

ROLE_A = "arn:aws:iam::000000000000:role/group-role-a"
ROLE_B = "arn:aws:iam::000000000000:role/group-role-b"
SIGN_IN_FLOWS = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
GROUP_KEYS = {"GroupName", "UserPoolId", "Description", "RoleArn", "Precedence", "LastModifiedDate", "CreationDate"}



def raw_error(server: CognateServer, operation: str, body: dict[str, Any]) -> tuple[str, str]:
    """(type, message) of a signed request boto3 would refuse to send (its own checks of `min` constraints)."""
    status, _, answer = server.raw_post(operation, body, signed=True)
    assert status == 400, answer
    return answer["__type"], answer["message"]


def new_pool(idp: Any) -> str:
    pool_id: str = create_pool(idp)["Id"]
    return pool_id


def new_user(idp: Any, pool_id: str, username: str | None = None) -> str:
    username = username or unique_name("user")
    idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": unique_email()}])
    return username


def new_group(idp: Any, pool_id: str, name: str | None = None, **fields: Any) -> dict[str, Any]:
    group: dict[str, Any] = idp.create_group(UserPoolId=pool_id, GroupName=name or unique_name("group"),
                                             **fields)["Group"]
    return group


def names(listing: dict[str, Any]) -> list[str]:
    return [g["GroupName"] for g in listing["Groups"]]


def all_pages(call: Callable[..., dict[str, Any]], key: str, **params: Any) -> list[list[Any]]:
    """Every page of a listing, following NextToken."""
    pages: list[list[Any]] = []
    token: str | None = None
    while True:
        page = call(**params, **({"NextToken": token} if token else {}))
        pages.append(page[key])
        token = page.get("NextToken")
        if token is None:
            return pages


def members(idp: Any, pool_id: str, group: str) -> list[str]:
    return [u["Username"] for u in idp.list_users_in_group(UserPoolId=pool_id, GroupName=group)["Users"]]


def groups_of(idp: Any, pool_id: str, username: str) -> list[str]:
    return names(idp.admin_list_groups_for_user(UserPoolId=pool_id, Username=username))


# --- CreateGroup / GetGroup -----------------------------------------------------------------------------


def test_create_group_returns_the_group_and_get_group_reads_it_back(idp: Any) -> None:
    pool_id = new_pool(idp)
    before = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=5)
    group = new_group(idp, pool_id, "admins", Description="The admins", RoleArn=ROLE_A, Precedence=3)
    assert set(group) == GROUP_KEYS
    assert group["GroupName"] == "admins"
    assert group["UserPoolId"] == pool_id
    assert (group["Description"], group["RoleArn"], group["Precedence"]) == ("The admins", ROLE_A, 3)
    assert isinstance(group["CreationDate"], datetime.datetime)
    assert before <= group["CreationDate"] == group["LastModifiedDate"]
    assert idp.get_group(UserPoolId=pool_id, GroupName="admins")["Group"] == group


def test_optional_members_never_set_are_left_out(idp: Any) -> None:
    pool_id = new_pool(idp)
    group = new_group(idp, pool_id, "plain")
    assert set(group) == {"GroupName", "UserPoolId", "LastModifiedDate", "CreationDate"}
    assert set(idp.get_group(UserPoolId=pool_id, GroupName="plain")["Group"]) == set(group)


def test_precedence_zero_is_kept(idp: Any) -> None:
    pool_id = new_pool(idp)
    assert new_group(idp, pool_id, "top", Precedence=0)["Precedence"] == 0


def test_group_names_take_any_letters_marks_symbols_numbers_and_punctuation(idp: Any) -> None:
    pool_id = new_pool(idp)
    for name in ("Ünïcødé-組", "a.b_c+d@e=f", "x" * 128, "😀"):
        assert new_group(idp, pool_id, name)["GroupName"] == name
        assert idp.get_group(UserPoolId=pool_id, GroupName=name)["Group"]["GroupName"] == name


def test_creating_a_name_twice_is_group_exists(idp: Any) -> None:
    pool_id = new_pool(idp)
    new_group(idp, pool_id, "editors")
    code, message = error_of(idp.create_group, UserPoolId=pool_id, GroupName="editors")
    assert code == "GroupExistsException"
    assert message == "A group with the name editors already exists."


def test_the_same_name_may_exist_in_two_pools(idp: Any) -> None:
    first, second = new_pool(idp), new_pool(idp)
    new_group(idp, first, "shared", Precedence=1)
    assert new_group(idp, second, "shared", Precedence=2)["UserPoolId"] == second
    assert idp.get_group(UserPoolId=first, GroupName="shared")["Group"]["Precedence"] == 1


def test_create_group_in_a_missing_pool_is_resource_not_found(idp: Any) -> None:
    code, message = error_of(idp.create_group, UserPoolId="us-east-1_Missing00", GroupName="g")
    assert (code, message) == ("ResourceNotFoundException", "User pool us-east-1_Missing00 does not exist.")


@pytest.mark.parametrize(("field", "value", "path"), [
    ("GroupName", "x" * 129, "groupName"),
    ("GroupName", "two words", "groupName"),
    ("Description", "d" * 2049, "description"),
    ("RoleArn", "not-an-arn-but-long-enough", "roleArn"),
])
def test_create_group_validates_the_model_constraints(idp: Any, field: str, value: str, path: str) -> None:
    pool_id = new_pool(idp)
    params = {"UserPoolId": pool_id, "GroupName": "valid", field: value}
    code, message = error_of(idp.create_group, **params)
    assert code == "InvalidParameterException"
    assert message.startswith("1 validation error detected:")
    assert f"at '{path}'" in message
    assert error_of(idp.get_group, UserPoolId=pool_id, GroupName="valid")[0] == "ResourceNotFoundException"


@pytest.mark.parametrize("operation", ["CreateGroup", "UpdateGroup"])
def test_precedence_must_be_a_non_negative_32_bit_integer(server: CognateServer, idp: Any, operation: str) -> None:
    pool_id = new_pool(idp)
    new_group(idp, pool_id, "g")
    for value, constraint in ((-1, "greater than or equal to 0"), (2**31, "less than or equal to 2147483647")):
        kind, message = raw_error(server, operation, {"UserPoolId": pool_id, "GroupName": "g", "Precedence": value})
        assert kind == "InvalidParameterException"
        assert f"Value '{value}' at 'precedence'" in message and constraint in message
    top = idp.update_group(UserPoolId=pool_id, GroupName="g", Precedence=2**31 - 1)["Group"]
    assert top["Precedence"] == 2**31 - 1


def test_an_empty_group_name_is_refused(server: CognateServer, idp: Any) -> None:
    pool_id = new_pool(idp)
    kind, message = raw_error(server, "CreateGroup", {"UserPoolId": pool_id, "GroupName": ""})
    assert kind == "InvalidParameterException" and "at 'groupName'" in message


def test_get_group_of_a_missing_group_or_pool(idp: Any) -> None:
    pool_id = new_pool(idp)
    assert error_of(idp.get_group, UserPoolId=pool_id, GroupName="nobody") == \
        ("ResourceNotFoundException", "Group not found.")
    assert error_of(idp.get_group, UserPoolId="us-east-1_Missing00", GroupName="g") == \
        ("ResourceNotFoundException", "User pool us-east-1_Missing00 does not exist.")


def test_group_names_are_exact(idp: Any) -> None:
    pool_id = new_pool(idp)
    new_group(idp, pool_id, "Admins")
    assert error_of(idp.get_group, UserPoolId=pool_id, GroupName="admins")[0] == "ResourceNotFoundException"


# --- ListGroups ---------------------------------------------------------------------------------------------


def test_list_groups_of_an_empty_pool(idp: Any) -> None:
    page = idp.list_groups(UserPoolId=new_pool(idp))
    assert page["Groups"] == [] and "NextToken" not in page


def test_list_groups_pages_through_every_group_once_in_a_stable_order(idp: Any) -> None:
    pool_id = new_pool(idp)
    created = {new_group(idp, pool_id, f"g{i:02d}", Precedence=i)["GroupName"] for i in range(7)}
    pages = all_pages(idp.list_groups, "Groups", UserPoolId=pool_id, Limit=3)
    assert [len(p) for p in pages] == [3, 3, 1]
    listed = [g["GroupName"] for page in pages for g in page]
    assert sorted(listed) == sorted(created) and len(listed) == len(set(listed))
    assert listed == names(idp.list_groups(UserPoolId=pool_id))
    assert all(set(g) == GROUP_KEYS - {"Description", "RoleArn"} for page in pages for g in page)


def test_list_groups_limit_of_a_full_page_has_no_next_token(idp: Any) -> None:
    pool_id = new_pool(idp)
    for i in range(3):
        new_group(idp, pool_id, f"g{i}")
    page = idp.list_groups(UserPoolId=pool_id, Limit=3)
    assert len(page["Groups"]) == 3 and "NextToken" not in page


def test_list_groups_with_the_boto3_paginator(idp: Any) -> None:
    pool_id = new_pool(idp)
    for i in range(5):
        new_group(idp, pool_id, f"p{i}")
    pages = list(idp.get_paginator("list_groups").paginate(UserPoolId=pool_id, PaginationConfig={"PageSize": 2}))
    assert [len(p["Groups"]) for p in pages] == [2, 2, 1]


def test_list_groups_limit_above_60_and_bad_tokens_are_invalid(idp: Any) -> None:
    pool_id = new_pool(idp)
    code, message = error_of(idp.list_groups, UserPoolId=pool_id, Limit=61)
    assert code == "InvalidParameterException" and "at 'limit'" in message
    assert error_of(idp.list_groups, UserPoolId=pool_id, NextToken="garbage") == \
        ("InvalidParameterException", "Invalid pagination token.")


def test_a_next_token_belongs_to_its_pool(idp: Any) -> None:
    first, second = new_pool(idp), new_pool(idp)
    for i in range(2):
        new_group(idp, first, f"g{i}")
    token = idp.list_groups(UserPoolId=first, Limit=1)["NextToken"]
    assert error_of(idp.list_groups, UserPoolId=second, NextToken=token)[0] == "InvalidParameterException"


def test_list_groups_of_a_missing_pool(idp: Any) -> None:
    assert error_of(idp.list_groups, UserPoolId="us-east-1_Missing00")[0] == "ResourceNotFoundException"


# --- UpdateGroup --------------------------------------------------------------------------------------------


def test_update_group_changes_the_given_fields_and_the_modification_date(idp: Any) -> None:
    pool_id = new_pool(idp)
    created = new_group(idp, pool_id, "g", Description="old", RoleArn=ROLE_A, Precedence=5)
    updated = idp.update_group(UserPoolId=pool_id, GroupName="g", Description="new", RoleArn=ROLE_B,
                               Precedence=1)["Group"]
    assert (updated["Description"], updated["RoleArn"], updated["Precedence"]) == ("new", ROLE_B, 1)
    assert updated["CreationDate"] == created["CreationDate"]
    assert updated["LastModifiedDate"] >= created["LastModifiedDate"]
    assert idp.get_group(UserPoolId=pool_id, GroupName="g")["Group"] == updated


def test_update_group_keeps_the_fields_left_out(idp: Any) -> None:
    """API reference, UpdateGroup: it "updates any of the properties for precedence, IAM role, or description"."""
    pool_id = new_pool(idp)
    new_group(idp, pool_id, "g", Description="d", RoleArn=ROLE_A, Precedence=5)
    updated = idp.update_group(UserPoolId=pool_id, GroupName="g", Precedence=7)["Group"]
    assert (updated["Description"], updated["RoleArn"], updated["Precedence"]) == ("d", ROLE_A, 7)
    bare = idp.update_group(UserPoolId=pool_id, GroupName="g")["Group"]
    assert (bare["Description"], bare["RoleArn"], bare["Precedence"]) == ("d", ROLE_A, 7)
    assert idp.get_group(UserPoolId=pool_id, GroupName="g")["Group"] == bare


def test_update_group_of_a_missing_group_or_pool(idp: Any) -> None:
    pool_id = new_pool(idp)
    assert error_of(idp.update_group, UserPoolId=pool_id, GroupName="nobody", Precedence=1) == \
        ("ResourceNotFoundException", "Group not found.")
    assert error_of(idp.update_group, UserPoolId="us-east-1_Missing00", GroupName="g")[0] == \
        "ResourceNotFoundException"


def test_update_group_validates_the_role_arn(idp: Any) -> None:
    pool_id = new_pool(idp)
    new_group(idp, pool_id, "g", RoleArn=ROLE_A)
    code, message = error_of(idp.update_group, UserPoolId=pool_id, GroupName="g", RoleArn="x" * 25)
    assert code == "InvalidParameterException" and "at 'roleArn'" in message
    assert idp.get_group(UserPoolId=pool_id, GroupName="g")["Group"]["RoleArn"] == ROLE_A


# --- DeleteGroup --------------------------------------------------------------------------------------------


def test_delete_group_removes_it_and_its_memberships(idp: Any) -> None:
    pool_id = new_pool(idp)
    user = new_user(idp, pool_id)
    new_group(idp, pool_id, "doomed")
    new_group(idp, pool_id, "kept")
    for group in ("doomed", "kept"):
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=user, GroupName=group)
    idp.delete_group(UserPoolId=pool_id, GroupName="doomed")
    assert error_of(idp.get_group, UserPoolId=pool_id, GroupName="doomed")[0] == "ResourceNotFoundException"
    assert names(idp.list_groups(UserPoolId=pool_id)) == ["kept"]
    assert groups_of(idp, pool_id, user) == ["kept"]
    new_group(idp, pool_id, "doomed")  # a new group of the old name starts empty
    assert members(idp, pool_id, "doomed") == []


def test_delete_group_of_a_missing_group_or_pool(idp: Any) -> None:
    pool_id = new_pool(idp)
    new_group(idp, pool_id, "once")
    idp.delete_group(UserPoolId=pool_id, GroupName="once")
    assert error_of(idp.delete_group, UserPoolId=pool_id, GroupName="once") == \
        ("ResourceNotFoundException", "Group not found.")
    assert error_of(idp.delete_group, UserPoolId="us-east-1_Missing00", GroupName="g")[0] == \
        "ResourceNotFoundException"


# --- AdminAddUserToGroup / AdminRemoveUserFromGroup ---------------------------------------------------------


def test_add_and_remove_a_member(idp: Any) -> None:
    pool_id = new_pool(idp)
    user = new_user(idp, pool_id)
    new_group(idp, pool_id, "team")
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username=user, GroupName="team")
    assert members(idp, pool_id, "team") == [user]
    assert groups_of(idp, pool_id, user) == ["team"]
    idp.admin_remove_user_from_group(UserPoolId=pool_id, Username=user, GroupName="team")
    assert members(idp, pool_id, "team") == []
    assert groups_of(idp, pool_id, user) == []


def test_adding_twice_is_idempotent_and_removing_a_non_member_is_harmless(idp: Any) -> None:
    pool_id = new_pool(idp)
    user = new_user(idp, pool_id)
    new_group(idp, pool_id, "team")
    for _ in range(2):
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=user, GroupName="team")
    assert members(idp, pool_id, "team") == [user]
    for _ in range(2):
        idp.admin_remove_user_from_group(UserPoolId=pool_id, Username=user, GroupName="team")
    assert members(idp, pool_id, "team") == []


def test_a_user_may_be_named_by_its_sub(idp: Any) -> None:
    pool_id = new_pool(idp)
    user = new_user(idp, pool_id)
    sub = {a["Name"]: a["Value"] for a in idp.admin_get_user(UserPoolId=pool_id, Username=user)["UserAttributes"]}
    new_group(idp, pool_id, "team")
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username=sub["sub"], GroupName="team")
    assert members(idp, pool_id, "team") == [user]
    assert groups_of(idp, pool_id, sub["sub"]) == ["team"]


@pytest.mark.parametrize("call", ["admin_add_user_to_group", "admin_remove_user_from_group"])
def test_membership_changes_name_the_missing_user_group_or_pool(idp: Any, call: str) -> None:
    pool_id = new_pool(idp)
    user = new_user(idp, pool_id)
    new_group(idp, pool_id, "team")
    change = getattr(idp, call)
    assert error_of(change, UserPoolId=pool_id, Username="ghost", GroupName="team") == \
        ("UserNotFoundException", "User does not exist.")
    assert error_of(change, UserPoolId=pool_id, Username=user, GroupName="nogroup") == \
        ("ResourceNotFoundException", "Group not found.")
    assert error_of(change, UserPoolId="us-east-1_Missing00", Username=user, GroupName="team") == \
        ("ResourceNotFoundException", "User pool us-east-1_Missing00 does not exist.")


def test_a_user_of_another_pool_is_not_found(idp: Any) -> None:
    pool_id, other = new_pool(idp), new_pool(idp)
    stranger = new_user(idp, other)
    new_group(idp, pool_id, "team")
    assert error_of(idp.admin_add_user_to_group, UserPoolId=pool_id, Username=stranger, GroupName="team")[0] == \
        "UserNotFoundException"


def test_a_user_can_be_in_at_most_100_groups(idp: Any) -> None:
    pool_id = new_pool(idp)
    user = new_user(idp, pool_id)
    for i in range(101):
        new_group(idp, pool_id, f"g{i:03d}")
    for i in range(100):
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=user, GroupName=f"g{i:03d}")
    code, _ = error_of(idp.admin_add_user_to_group, UserPoolId=pool_id, Username=user, GroupName="g100")
    assert code == "LimitExceededException"
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username=user, GroupName="g000")  # already a member
    idp.admin_remove_user_from_group(UserPoolId=pool_id, Username=user, GroupName="g000")
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username=user, GroupName="g100")
    pages = all_pages(idp.admin_list_groups_for_user, "Groups", UserPoolId=pool_id, Username=user, Limit=60)
    assert [len(p) for p in pages] == [60, 40]


def _database_url(server: CognateServer) -> str:
    return Settings(data_dir=server.data_dir, database_url=server.database_url or "").resolved_database_url()


def test_a_pool_can_have_at_most_10000_groups(server: CognateServer, idp: Any) -> None:
    pool_id = new_pool(idp)
    # 9,999 groups written straight into the store: 10,000 CreateGroup calls would only slow the suite down.
    engine = create_engine(_database_url(server))
    try:
        with engine.begin() as conn:
            conn.execute(insert(groups_table), [{"pool_id": pool_id, "name": f"seeded-{i:05d}", "created": 1.0,
                                                 "modified": 1.0} for i in range(9_999)])
    finally:
        engine.dispose()
    new_group(idp, pool_id, "the-last-one")
    code, _ = error_of(idp.create_group, UserPoolId=pool_id, GroupName="one-too-many")
    assert code == "LimitExceededException"
    idp.delete_group(UserPoolId=pool_id, GroupName="the-last-one")
    new_group(idp, pool_id, "one-too-many")


# --- AdminListGroupsForUser ---------------------------------------------------------------------------------


def test_admin_list_groups_for_user_pages_full_group_types(idp: Any) -> None:
    pool_id = new_pool(idp)
    user = new_user(idp, pool_id)
    new_group(idp, pool_id, "not-mine")
    mine = {}
    for i in range(5):
        group = new_group(idp, pool_id, f"mine-{i}", Description=f"d{i}", RoleArn=ROLE_A, Precedence=i)
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=user, GroupName=group["GroupName"])
        mine[group["GroupName"]] = group
    pages = all_pages(idp.admin_list_groups_for_user, "Groups", UserPoolId=pool_id, Username=user, Limit=2)
    assert [len(p) for p in pages] == [2, 2, 1]
    listed = [g for page in pages for g in page]
    assert sorted(g["GroupName"] for g in listed) == sorted(mine)
    assert all(g == mine[g["GroupName"]] for g in listed)
    paginated = idp.get_paginator("admin_list_groups_for_user").paginate(UserPoolId=pool_id, Username=user)
    assert sum(len(p["Groups"]) for p in paginated) == 5


def test_admin_list_groups_for_user_errors(idp: Any) -> None:
    pool_id = new_pool(idp)
    user = new_user(idp, pool_id)
    assert idp.admin_list_groups_for_user(UserPoolId=pool_id, Username=user)["Groups"] == []
    assert error_of(idp.admin_list_groups_for_user, UserPoolId=pool_id, Username="ghost") == \
        ("UserNotFoundException", "User does not exist.")
    assert error_of(idp.admin_list_groups_for_user, UserPoolId="us-east-1_Missing00", Username=user)[0] == \
        "ResourceNotFoundException"
    code, message = error_of(idp.admin_list_groups_for_user, UserPoolId=pool_id, Username=user, Limit=61)
    assert code == "InvalidParameterException" and "at 'limit'" in message
    assert error_of(idp.admin_list_groups_for_user, UserPoolId=pool_id, Username=user, NextToken="x")[0] == \
        "InvalidParameterException"


# --- ListUsersInGroup ---------------------------------------------------------------------------------------


def test_list_users_in_group_gives_user_types_like_list_users(idp: Any) -> None:
    pool_id = new_pool(idp)
    team = [new_user(idp, pool_id) for _ in range(5)]
    outsider = new_user(idp, pool_id)
    new_group(idp, pool_id, "team")
    for user in team:
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=user, GroupName="team")
    pages = all_pages(idp.list_users_in_group, "Users", UserPoolId=pool_id, GroupName="team", Limit=2)
    assert [len(p) for p in pages] == [2, 2, 1]
    listed = [u for page in pages for u in page]
    by_name = {u["Username"]: u for u in idp.list_users(UserPoolId=pool_id)["Users"]}
    assert sorted(u["Username"] for u in listed) == sorted(team)
    assert outsider not in {u["Username"] for u in listed}
    for user in listed:
        assert user == by_name[user["Username"]]
    paginated = idp.get_paginator("list_users_in_group").paginate(UserPoolId=pool_id, GroupName="team")
    assert sum(len(p["Users"]) for p in paginated) == 5


def test_list_users_in_group_errors(idp: Any) -> None:
    pool_id = new_pool(idp)
    new_group(idp, pool_id, "team")
    assert idp.list_users_in_group(UserPoolId=pool_id, GroupName="team")["Users"] == []
    assert error_of(idp.list_users_in_group, UserPoolId=pool_id, GroupName="nogroup") == \
        ("ResourceNotFoundException", "Group not found.")
    assert error_of(idp.list_users_in_group, UserPoolId="us-east-1_Missing00", GroupName="team")[0] == \
        "ResourceNotFoundException"
    code, message = error_of(idp.list_users_in_group, UserPoolId=pool_id, GroupName="team", Limit=61)
    assert code == "InvalidParameterException" and "at 'limit'" in message
    assert error_of(idp.list_users_in_group, UserPoolId=pool_id, GroupName="team", NextToken="x")[0] == \
        "InvalidParameterException"


def test_a_next_token_belongs_to_its_group(idp: Any) -> None:
    pool_id = new_pool(idp)
    for group in ("a", "b"):
        new_group(idp, pool_id, group)
    for _ in range(2):
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=new_user(idp, pool_id), GroupName="a")
    token = idp.list_users_in_group(UserPoolId=pool_id, GroupName="a", Limit=1)["NextToken"]
    assert error_of(idp.list_users_in_group, UserPoolId=pool_id, GroupName="b", NextToken=token)[0] == \
        "InvalidParameterException"


# --- concurrency --------------------------------------------------------------------------------------------


def outcomes(calls: list[Callable[[], Any]]) -> list[str]:
    """Run the calls at once; "ok" or the AWS error code of each."""
    def run(call: Callable[[], Any]) -> str:
        try:
            call()
        except ClientError as exc:
            return str(exc.response["Error"]["Code"])
        return "ok"

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_concurrent_creations_of_one_name_make_one_group(idp: Any) -> None:
    pool_id = new_pool(idp)
    results = outcomes([lambda: idp.create_group(UserPoolId=pool_id, GroupName="race")] * 8)
    assert sorted(results) == ["GroupExistsException"] * 7 + ["ok"]
    assert names(idp.list_groups(UserPoolId=pool_id)) == ["race"]


def test_concurrent_adds_of_one_member_make_one_membership(idp: Any) -> None:
    pool_id = new_pool(idp)
    user = new_user(idp, pool_id)
    new_group(idp, pool_id, "team")
    results = outcomes([lambda: idp.admin_add_user_to_group(UserPoolId=pool_id, Username=user,
                                                            GroupName="team")] * 8)
    assert results == ["ok"] * 8
    assert members(idp, pool_id, "team") == [user]


def test_a_group_deleted_while_members_are_added_leaves_no_membership(idp: Any) -> None:
    pool_id = new_pool(idp)
    users = [new_user(idp, pool_id) for _ in range(6)]
    new_group(idp, pool_id, "team")
    adds: list[Callable[[], Any]] = [
        lambda u=u: idp.admin_add_user_to_group(UserPoolId=pool_id, Username=u, GroupName="team") for u in users]
    results = outcomes([*adds[:3], lambda: idp.delete_group(UserPoolId=pool_id, GroupName="team"), *adds[3:]])
    assert set(results) <= {"ok", "ResourceNotFoundException"}
    new_group(idp, pool_id, "team")
    assert members(idp, pool_id, "team") == []
    assert all(groups_of(idp, pool_id, u) == [] for u in users)


# --- users and pools that go away ---------------------------------------------------------------------------


def test_deleting_a_user_removes_its_memberships(idp: Any) -> None:
    pool_id = new_pool(idp)
    new_group(idp, pool_id, "team")
    user = new_user(idp, pool_id)
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username=user, GroupName="team")
    idp.admin_delete_user(UserPoolId=pool_id, Username=user)
    assert members(idp, pool_id, "team") == []
    # The newest user's row id may be reused on SQLite: a membership left behind would pass to the next user.
    successor = new_user(idp, pool_id, user)
    assert groups_of(idp, pool_id, successor) == []
    assert members(idp, pool_id, "team") == []


def test_deleting_a_pool_takes_its_groups(idp: Any) -> None:
    pool_id = new_pool(idp)
    new_group(idp, pool_id, "team")
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username=new_user(idp, pool_id), GroupName="team")
    idp.delete_user_pool(UserPoolId=pool_id)
    assert error_of(idp.get_group, UserPoolId=pool_id, GroupName="team")[0] == "ResourceNotFoundException"


# --- tokens -------------------------------------------------------------------------------------------------


def sign_in(server: CognateServer, idp: Any, pool_id: str, username: str, password: str) -> dict[str, Any]:
    """ID and access token claims of a fresh ADMIN_USER_PASSWORD_AUTH sign-in, verified against the JWKS."""
    client_id = create_client(idp, pool_id, ExplicitAuthFlows=SIGN_IN_FLOWS)["ClientId"]
    result = idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": username, "PASSWORD": password})
    status, _, body = server.request("GET", f"/{pool_id}/.well-known/jwks.json")
    assert status == 200
    keys = KeySet.import_key_set(json.loads(body))
    tokens = result["AuthenticationResult"]
    return {kind: jwt.decode(tokens[f"{kind}Token"], keys).claims for kind in ("Id", "Access")}


def signed_up(idp: Any, pool_id: str) -> tuple[str, str]:
    username, password = new_user(idp, pool_id), strong_password()
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)
    return username, password


def test_tokens_carry_no_group_claims_for_a_user_in_no_group(server: CognateServer, idp: Any) -> None:
    pool_id = new_pool(idp)
    claims = sign_in(server, idp, pool_id, *signed_up(idp, pool_id))
    for token in claims.values():
        assert not {"cognito:groups", "cognito:roles", "cognito:preferred_role"} & set(token)


def test_a_new_sign_in_carries_the_groups_roles_and_preferred_role(server: CognateServer, idp: Any) -> None:
    pool_id = new_pool(idp)
    username, password = signed_up(idp, pool_id)
    new_group(idp, pool_id, "readers", RoleArn=ROLE_B, Precedence=10)
    new_group(idp, pool_id, "admins", RoleArn=ROLE_A, Precedence=1)
    new_group(idp, pool_id, "no-role", Precedence=0)
    new_group(idp, pool_id, "unrelated", RoleArn=ROLE_B, Precedence=0)
    for group in ("readers", "admins", "no-role"):
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)
    claims = sign_in(server, idp, pool_id, username, password)
    identity, access = claims["Id"], claims["Access"]
    assert identity["cognito:groups"] == ["no-role", "admins", "readers"]
    assert identity["cognito:roles"] == [ROLE_A, ROLE_B]
    assert identity["cognito:preferred_role"] == ROLE_A
    assert access["cognito:groups"] == ["no-role", "admins", "readers"]
    assert "cognito:roles" not in access and "cognito:preferred_role" not in access


def test_tied_top_precedence_with_different_roles_has_no_preferred_role(server: CognateServer, idp: Any) -> None:
    pool_id = new_pool(idp)
    username, password = signed_up(idp, pool_id)
    new_group(idp, pool_id, "a", RoleArn=ROLE_A, Precedence=2)
    new_group(idp, pool_id, "b", RoleArn=ROLE_B, Precedence=2)
    for group in ("a", "b"):
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)
    identity = sign_in(server, idp, pool_id, username, password)["Id"]
    assert sorted(identity["cognito:roles"]) == sorted([ROLE_A, ROLE_B])
    assert "cognito:preferred_role" not in identity
    idp.update_group(UserPoolId=pool_id, GroupName="b", RoleArn=ROLE_A, Precedence=2)
    identity = sign_in(server, idp, pool_id, username, password)["Id"]
    assert identity["cognito:roles"] == [ROLE_A]
    assert identity["cognito:preferred_role"] == ROLE_A


def test_group_changes_show_in_the_next_sign_in(server: CognateServer, idp: Any) -> None:
    pool_id = new_pool(idp)
    username, password = signed_up(idp, pool_id)
    new_group(idp, pool_id, "gone", RoleArn=ROLE_A, Precedence=1)
    new_group(idp, pool_id, "left", RoleArn=ROLE_B)
    for group in ("gone", "left"):
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)
    assert sign_in(server, idp, pool_id, username, password)["Id"]["cognito:preferred_role"] == ROLE_A
    idp.delete_group(UserPoolId=pool_id, GroupName="gone")
    identity = sign_in(server, idp, pool_id, username, password)["Id"]
    assert (identity["cognito:groups"], identity["cognito:roles"]) == (["left"], [ROLE_B])
    assert identity["cognito:preferred_role"] == ROLE_B
    idp.admin_remove_user_from_group(UserPoolId=pool_id, Username=username, GroupName="left")
    assert "cognito:groups" not in sign_in(server, idp, pool_id, username, password)["Access"]
