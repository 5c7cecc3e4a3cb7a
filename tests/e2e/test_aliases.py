"""preferred_username as a sign-in alias: unique in the pool from the moment it is set, and usable at once."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from support.factories import create_client, create_pool, strong_password


def _code(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    return str(excinfo.value.response["Error"]["Code"])


def test_preferred_username_alias_is_unique_and_signs_in(idp: Any, idp_public: Any) -> None:
    pool = create_pool(idp, AliasAttributes=["preferred_username"])
    client = create_client(idp, pool["Id"], ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    password = strong_password()
    idp_public.sign_up(ClientId=client["ClientId"], Username="first", Password=password,
                       UserAttributes=[{"Name": "preferred_username", "Value": "captain"}])
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username="first")
    with pytest.raises(ClientError) as excinfo:
        idp_public.sign_up(ClientId=client["ClientId"], Username="second", Password=password,
                           UserAttributes=[{"Name": "preferred_username", "Value": "Captain"}])
    assert _code(excinfo) == "AliasExistsException"
    idp.admin_create_user(UserPoolId=pool["Id"], Username="third", MessageAction="SUPPRESS")
    with pytest.raises(ClientError) as excinfo:
        idp.admin_update_user_attributes(UserPoolId=pool["Id"], Username="third",
                                         UserAttributes=[{"Name": "preferred_username", "Value": "captain"}])
    assert _code(excinfo) == "AliasExistsException"
    signed_in = idp_public.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                                         AuthParameters={"USERNAME": "captain", "PASSWORD": password})
    assert "AccessToken" in signed_in["AuthenticationResult"]
