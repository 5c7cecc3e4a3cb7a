"""ListUsers as an operator uses it: every page once, and each filter of AWS's grammar
(``attribute = "value"`` / ``attribute ^= "value"`` on one searchable attribute; API reference, ListUsers)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from support.aws import attributes, error_of
from support.factories import create_client, create_pool, strong_password, unique_name


def add_user(idp: Any, pool_id: str, username: str, **attrs: str) -> str:
    """AdminCreateUser without invitation; returns the user's sub."""
    user = idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS",
                                 UserAttributes=[{"Name": k, "Value": v} for k, v in attrs.items()])["User"]
    sub: str = attributes(user)["sub"]
    return sub


def every_page(idp: Any, **params: Any) -> list[list[str]]:
    """User names of each page, following PaginationToken to the end."""
    pages: list[list[str]] = []
    token: str | None = None
    while True:
        out = idp.list_users(**params, **({"PaginationToken": token} if token else {}))
        pages.append([u["Username"] for u in out["Users"]])
        token = out.get("PaginationToken")
        if not token:
            return pages
        assert len(pages) < 100, "pagination does not end"


@dataclass
class Directory:
    """A pool with a few well-known users, built once per store for the filter tests."""

    pool_id: str
    tag: str
    alice: str
    bob: str
    carol: str
    dave: str
    alice_sub: str

    def names(self, idp: Any, filter_text: str, **params: Any) -> set[str]:
        users = idp.list_users(UserPoolId=self.pool_id, Filter=filter_text, **params)["Users"]
        names = [u["Username"] for u in users]
        assert len(names) == len(set(names)), names
        return set(names)


@pytest.fixture(scope="module")
def directory(idp: Any) -> Directory:
    pool_id: str = create_pool(idp, AutoVerifiedAttributes=["email"])["Id"]
    tag = uuid.uuid4().hex[:8]
    alice, bob, carol, dave = (f"{n}-{tag}" for n in ("alice", "bob", "carol", "dave"))
    alice_sub = add_user(idp, pool_id, alice, email=f"Alice.{tag}@Example.test", given_name="Alice",
                         family_name="Smith", name="Alice Smith", preferred_username=f"ally{tag}",
                         phone_number="+15550100001")
    add_user(idp, pool_id, bob, email=f"bob.{tag}@example.test", given_name="Bob", family_name="Smithers",
             name='Bob "The Builder" Jones', phone_number="+15550100002")
    client_id = create_client(idp, pool_id)["ClientId"]
    idp.sign_up(ClientId=client_id, Username=carol, Password=strong_password(),
                UserAttributes=[{"Name": "given_name", "Value": "Carol"}])
    add_user(idp, pool_id, dave, given_name="Dave")
    idp.admin_disable_user(UserPoolId=pool_id, Username=dave)
    return Directory(pool_id, tag, alice, bob, carol, dave, alice_sub)


# --- no filter: pagination -------------------------------------------------------------------------------


def test_pages_visit_every_user_once_and_the_last_has_no_token(idp: Any) -> None:
    pool_id: str = create_pool(idp)["Id"]
    created = {unique_name("u") for _ in range(25)}
    for name in created:
        add_user(idp, pool_id, name)

    pages = every_page(idp, UserPoolId=pool_id, Limit=10)

    assert [len(p) for p in pages] == [10, 10, 5]
    seen = [name for page in pages for name in page]
    assert sorted(seen) == sorted(created)
    everything = idp.list_users(UserPoolId=pool_id)
    assert len(everything["Users"]) == 25 and "PaginationToken" not in everything


def test_limit_zero_means_the_default_page_size(idp: Any) -> None:
    pool_id: str = create_pool(idp)["Id"]
    for _ in range(3):
        add_user(idp, pool_id, unique_name("u"))

    out = idp.list_users(UserPoolId=pool_id, Limit=0)

    assert len(out["Users"]) == 3
    assert "PaginationToken" not in out


def test_limit_above_60_is_refused(idp: Any) -> None:
    pool_id: str = create_pool(idp)["Id"]

    assert error_of(idp.list_users, UserPoolId=pool_id, Limit=61)[0] == "InvalidParameterException"


def test_users_carry_the_user_type_shape(idp: Any, directory: Directory) -> None:
    [user] = idp.list_users(UserPoolId=directory.pool_id, Filter=f'username = "{directory.alice}"')["Users"]

    assert set(user) >= {"Username", "Attributes", "UserCreateDate", "UserLastModifiedDate", "Enabled",
                         "UserStatus"}
    assert user["Enabled"] is True and user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert attributes(user)["sub"] == directory.alice_sub
    assert attributes(user)["given_name"] == "Alice"


def test_unknown_pool(idp: Any) -> None:
    assert error_of(idp.list_users, UserPoolId="us-east-1_Nonexist0")[0] == "ResourceNotFoundException"


# --- filters ------------------------------------------------------------------------------------------


def test_email_exact_match_ignores_case(idp: Any, directory: Directory) -> None:
    d = directory
    assert d.names(idp, f'email = "alice.{d.tag}@example.TEST"') == {d.alice}
    assert d.names(idp, f'email = "ALICE.{d.tag}@EXAMPLE.TEST"') == {d.alice}
    assert d.names(idp, f'email = "alice.{d.tag}@example"') == set()


def test_email_prefix(idp: Any, directory: Directory) -> None:
    d = directory
    assert d.names(idp, 'email ^= "alice."') == {d.alice}
    assert d.names(idp, 'email ^= "BOB"') == {d.bob}
    assert d.names(idp, 'email ^= "zed"') == set()


def test_username_filters(idp: Any, directory: Directory) -> None:
    d = directory
    assert d.names(idp, f'username = "{d.carol}"') == {d.carol}
    assert d.names(idp, 'username ^= "bob-"') == {d.bob}
    assert d.names(idp, f'username = "{d.carol.upper()}"') == set()  # the pool is case sensitive


def test_name_filters(idp: Any, directory: Directory) -> None:
    d = directory
    assert d.names(idp, 'given_name = "Alice"') == {d.alice}
    assert d.names(idp, 'given_name ^= "Ca"') == {d.carol}
    assert d.names(idp, 'family_name = "Smith"') == {d.alice}
    assert d.names(idp, 'family_name ^= "Smith"') == {d.alice, d.bob}
    assert d.names(idp, 'name = "Alice Smith"') == {d.alice}
    assert d.names(idp, f'preferred_username = "ally{d.tag}"') == {d.alice}


def test_quoted_values_unescape_double_quotes(idp: Any, directory: Directory) -> None:
    d = directory
    assert d.names(idp, r'name = "Bob \"The Builder\" Jones"') == {d.bob}
    assert d.names(idp, r'name ^= "Bob \"The"') == {d.bob}


def test_phone_number_filters(idp: Any, directory: Directory) -> None:
    d = directory
    assert d.names(idp, 'phone_number = "+15550100001"') == {d.alice}
    assert d.names(idp, 'phone_number ^= "+1555010000"') == {d.alice, d.bob}


def test_sub_filters(idp: Any, directory: Directory) -> None:
    d = directory
    assert d.names(idp, f'sub = "{d.alice_sub}"') == {d.alice}
    assert d.names(idp, f'sub ^= "{d.alice_sub[:9]}"') == {d.alice}
    assert d.names(idp, f'sub = "{uuid.uuid4()}"') == set()


def test_user_status_filter_ignores_case(idp: Any, directory: Directory) -> None:
    d = directory
    assert d.names(idp, 'cognito:user_status = "UNCONFIRMED"') == {d.carol}
    assert d.names(idp, 'cognito:user_status = "unconfirmed"') == {d.carol}
    assert d.names(idp, 'cognito:user_status = "Force_Change_Password"') == {d.alice, d.bob, d.dave}
    assert d.names(idp, 'cognito:user_status = "CONFIRMED"') == set()


def test_user_status_prefix_matches_every_status_it_starts(idp: Any, directory: Directory) -> None:
    d = directory
    assert d.names(idp, 'cognito:user_status ^= "FORCE"') == {d.alice, d.bob, d.dave}
    assert d.names(idp, 'cognito:user_status ^= "UN"') == {d.carol}  # UNCONFIRMED and UNKNOWN both start so
    assert d.names(idp, 'cognito:user_status ^= "C"') == set()  # CONFIRMED and COMPROMISED: nobody here
    assert d.names(idp, 'cognito:user_status ^= "ZZ"') == set()  # no status at all


def test_enabled_status_filter(idp: Any, directory: Directory) -> None:
    d = directory
    assert d.names(idp, 'status = "Disabled"') == {d.dave}
    assert d.names(idp, 'status = "Enabled"') == {d.alice, d.bob, d.carol}


def test_spaces_around_the_operator_are_optional(idp: Any, directory: Directory) -> None:
    d = directory
    assert d.names(idp, 'given_name="Alice"') == {d.alice}
    assert d.names(idp, 'given_name^="Ali"') == {d.alice}


def test_attributes_to_get_limits_the_attributes(idp: Any, directory: Directory) -> None:
    d = directory
    users = idp.list_users(UserPoolId=d.pool_id, Filter='family_name ^= "Smith"',
                           AttributesToGet=["email", "given_name"])["Users"]

    assert {u["Username"]: attributes(u) for u in users} == {
        d.alice: {"email": f"Alice.{d.tag}@Example.test", "given_name": "Alice"},
        d.bob: {"email": f"bob.{d.tag}@example.test", "given_name": "Bob"},
    }


@pytest.mark.parametrize("bad", [
    'email = alice',
    'email == "alice"',
    'email != "alice"',
    'email "alice"',
    'email = "alice',
    'email = "a" and given_name = "b"',
    '= "alice"',
])
def test_malformed_filters_are_refused(idp: Any, directory: Directory, bad: str) -> None:
    code, _ = error_of(idp.list_users, UserPoolId=directory.pool_id, Filter=bad)
    assert code == "InvalidParameterException"


@pytest.mark.parametrize("attribute", ["custom:plan", "locale", "email_verified", "address"])
def test_attributes_that_are_not_searchable_are_refused(idp: Any, directory: Directory, attribute: str) -> None:
    code, _ = error_of(idp.list_users, UserPoolId=directory.pool_id, Filter=f'{attribute} = "x"')
    assert code == "InvalidParameterException"


def test_filter_longer_than_256_characters_is_refused(idp: Any, directory: Directory) -> None:
    code, _ = error_of(idp.list_users, UserPoolId=directory.pool_id, Filter=f'name = "{"x" * 260}"')
    assert code == "InvalidParameterException"


# --- filters and pagination ----------------------------------------------------------------------------


def test_filtered_pages_visit_every_match_once(idp: Any) -> None:
    pool_id: str = create_pool(idp)["Id"]
    matching = {unique_name("m") for _ in range(12)}
    for name in matching:
        add_user(idp, pool_id, name, family_name="Paged")
    for _ in range(4):
        add_user(idp, pool_id, unique_name("o"), family_name="Other")

    for text in ('family_name = "Paged"', 'family_name ^= "pag"'):
        pages = every_page(idp, UserPoolId=pool_id, Filter=text, Limit=5)
        assert [len(p) for p in pages] == [5, 5, 2], text
        assert sorted(n for p in pages for n in p) == sorted(matching), text


def test_a_pagination_token_only_continues_its_own_listing(idp: Any) -> None:
    pool_id: str = create_pool(idp)["Id"]
    for _ in range(3):
        add_user(idp, pool_id, unique_name("u"), family_name="Token")
    token = idp.list_users(UserPoolId=pool_id, Filter='family_name = "Token"', Limit=1)["PaginationToken"]

    code, _ = error_of(idp.list_users, UserPoolId=pool_id, Filter='family_name = "Other"', PaginationToken=token)
    assert code == "InvalidParameterException"
    code, _ = error_of(idp.list_users, UserPoolId=pool_id, PaginationToken="not-a-token")
    assert code == "InvalidParameterException"
    rest = idp.list_users(UserPoolId=pool_id, Filter='family_name = "Token"', PaginationToken=token)
    assert len(rest["Users"]) == 2


def test_values_holding_nul_characters_are_stored_and_searched(idp: Any) -> None:
    pool_id: str = create_pool(idp)["Id"]
    name = unique_name("nul")
    add_user(idp, pool_id, name, given_name="Nu\x00ll")

    [user] = idp.list_users(UserPoolId=pool_id, Filter='given_name = "Nu\x00ll"')["Users"]

    assert user["Username"] == name
    assert attributes(user)["given_name"] == "Nu\x00ll"
    assert idp.list_users(UserPoolId=pool_id, Filter='cognito:user_status = "CONF\x00IRMED"')["Users"] == []
