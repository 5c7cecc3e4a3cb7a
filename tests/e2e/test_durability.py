"""What an acknowledged write is worth: it survives SIGKILL of the server on both stores; SIGTERM is a clean
exit; the access log has one JSON line per request and never a secret."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

from support.aws import secret_hash
from support.factories import create_client, create_pool, strong_password, unique_name
from support.server import CognateServer, ServerFactory

BURST = 200
WORKERS = 8


def test_acknowledged_sign_ups_survive_sigkill(fresh_server: ServerFactory) -> None:
    server = fresh_server()
    idp = server.client()
    public = server.client(signed=False)
    # No auto-verified attribute: sign-up sends no message, so only the store is exercised.
    pool = create_pool(idp)
    client_id = create_client(idp, pool["Id"])["ClientId"]

    def sign_up(n: int) -> tuple[str, str] | None:
        username = f"burst-{n:04d}"
        try:
            sub = public.sign_up(ClientId=client_id, Username=username, Password=strong_password())["UserSub"]
        except ClientError:
            return None
        return username, str(sub)

    with ThreadPoolExecutor(WORKERS) as workers:
        results = list(workers.map(sign_up, range(BURST)))
    server.kill()  # SIGKILL right after the last acknowledgement: no chance to flush anything

    acknowledged = [r for r in results if r is not None]
    assert len(acknowledged) == BURST, f"{BURST - len(acknowledged)} sign-ups were refused"
    server.start()
    idp = server.client()
    for username, sub in acknowledged:
        user = idp.admin_get_user(UserPoolId=pool["Id"], Username=username)
        assert {"Name": "sub", "Value": sub} in user["UserAttributes"], username
        assert user["UserStatus"] == "UNCONFIRMED"
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["EstimatedNumberOfUsers"] == BURST


def test_sign_ups_acknowledged_before_a_sigkill_mid_burst_survive(fresh_server: ServerFactory) -> None:
    """SIGKILL while requests are in flight: whatever was acknowledged is there after the restart."""
    server = fresh_server()
    idp = server.client()
    public = server.client(signed=False)
    pool = create_pool(idp)
    client_id = create_client(idp, pool["Id"])["ClientId"]
    acknowledged: list[tuple[str, str]] = []
    lock = threading.Lock()
    enough = threading.Event()

    def sign_up(n: int) -> None:
        if enough.is_set():
            return
        username = f"mid-{n:04d}"
        try:
            sub = public.sign_up(ClientId=client_id, Username=username, Password=strong_password())["UserSub"]
        except Exception:  # refused, or cut off by the kill: not acknowledged
            return
        with lock:
            acknowledged.append((username, str(sub)))
            if len(acknowledged) >= BURST // 2:
                enough.set()

    with ThreadPoolExecutor(WORKERS) as workers:
        for n in range(BURST * 2):
            workers.submit(sign_up, n)
        assert enough.wait(120), f"only {len(acknowledged)} sign-ups acknowledged"
        server.kill()
    server.start()
    idp = server.client()
    found = {u["Username"] for page in idp.get_paginator("list_users").paginate(UserPoolId=pool["Id"])
             for u in page["Users"]}
    missing = [username for username, _ in acknowledged if username not in found]
    assert not missing, f"{len(missing)} acknowledged sign-ups lost: {missing[:5]}"
    for username, sub in acknowledged[:20]:
        user = idp.admin_get_user(UserPoolId=pool["Id"], Username=username)
        assert {"Name": "sub", "Value": sub} in user["UserAttributes"]


def test_pools_and_clients_survive_sigkill(fresh_server: ServerFactory) -> None:
    server = fresh_server()
    idp = server.client()
    pool = create_pool(idp, Policies={"PasswordPolicy": {"MinimumLength": 10}}, UserPoolTags={"k": "v"})
    client = create_client(idp, pool["Id"], GenerateSecret=True)
    idp.update_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"], ClientName="renamed")
    server.kill()
    server.start()
    idp = server.client()
    described = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert described["Policies"]["PasswordPolicy"]["MinimumLength"] == 10
    assert described["UserPoolTags"] == {"k": "v"}
    after = idp.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"])["UserPoolClient"]
    # The secret is sealed with the master key, which must survive the restart too.
    assert after["ClientName"] == "renamed" and after["ClientSecret"] == client["ClientSecret"]



def access_lines(server: CognateServer, since: int = 0) -> list[dict[str, Any]]:
    lines = []
    for line in server.log_text(since).splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and "path" in entry and "status" in entry:
            lines.append(entry)
    return lines


def test_sigterm_is_a_clean_exit_and_the_access_log_keeps_no_secret(fresh_server: ServerFactory) -> None:
    server = fresh_server()
    idp = server.client()
    public = server.client(signed=False)
    pool = create_pool(idp)
    client = create_client(idp, pool["Id"], GenerateSecret=True)
    password = "Pw-Recognizable-" + unique_name("x") + "!A1"
    username = unique_name("logged")
    wrong_hash = "wrongButRecognizableHash0000="
    with pytest.raises(ClientError) as excinfo:
        public.sign_up(ClientId=client["ClientId"], Username=username, Password=password, SecretHash=wrong_hash)
    assert excinfo.value.response["Error"]["Code"] == "NotAuthorizedException"
    public.sign_up(ClientId=client["ClientId"], Username=username, Password=password,
                   SecretHash=secret_hash(client["ClientSecret"], username, client["ClientId"]))
    since = server.log_size()
    assert server.stop() == 0, server.log_tail()

    log = server.log_text()
    for secret in (password, client["ClientSecret"], server.secret_access_key, wrong_hash):
        assert secret not in log
    posts = [e for e in access_lines(server) if e.get("method") == "POST"]
    assert [e["operation"] for e in posts] == ["CreateUserPool", "CreateUserPoolClient", "SignUp", "SignUp"]
    assert [e["status"] for e in posts] == [200, 200, 400, 200]
    assert posts[2]["error"] == "NotAuthorizedException"
    assert all(e["path"] == "/" for e in posts)
    assert "Traceback" not in server.log_text(since)
