"""Checks of the test harness itself (SMTP sink, skip-or-fail rule, helpers), not of Cognate."""

from __future__ import annotations

import re
import smtplib
import threading
from email.message import EmailMessage
from typing import Any

import pytest
from botocore.exceptions import ClientError

from support.factories import create_pool, strong_password, unique_email, unique_name
from support.net import free_port
from support.require import require
from support.server import CognateServer, ServerFactory
from support.smtp import SmtpSink, extract_code


def _send(
    sink: SmtpSink, to: str, body: str, *, subject: str = "Your verification code", html: str | None = None
) -> None:
    msg = EmailMessage()
    msg["From"] = "no-reply@cognate.test"
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    with smtplib.SMTP(sink.host, sink.port, timeout=10) as client:
        client.send_message(msg)


# --- SMTP sink -------------------------------------------------------------------------------------


def test_smtp_sink_records_message_and_extracts_code(smtp: SmtpSink) -> None:
    to = unique_email()
    _send(smtp, to, "Your verification code is 493021.")

    assert smtp.last_code(to) == "493021"
    [message] = smtp.messages(to)
    assert message["Subject"] == "Your verification code"
    assert message["To"] == to
    assert message in smtp.messages()
    assert smtp.url == f"smtp://127.0.0.1:{smtp.port}"


def test_smtp_sink_filters_by_recipient_case_insensitively(smtp: SmtpSink) -> None:
    a, b = unique_email(), unique_email()
    _send(smtp, a, "code 111111")
    _send(smtp, b, "code 222222")

    assert smtp.last_code(a.upper()) == "111111"
    assert smtp.last_code(b) == "222222"
    assert [m["To"] for m in smtp.messages(a)] == [a]


def test_last_code_takes_newest_message_and_last_code_in_it(smtp: SmtpSink) -> None:
    to = unique_email()
    _send(smtp, to, "first 123456")
    seen = smtp.count(to)
    _send(smtp, to, "Ignore 2024 and 12345678; your code is 654321, not 1234567. Again: 777888.")

    assert smtp.last_code(to, after=seen) == "777888"
    assert smtp.count(to) == seen + 1


def test_last_code_prefers_plain_text_and_reads_html_without_markup(smtp: SmtpSink) -> None:
    both, html_only = unique_email(), unique_email()
    _send(smtp, both, "code 246810", html='<p style="color:#135791">code <b>246810</b></p>')
    assert smtp.last_code(both) == "246810"

    msg = EmailMessage()
    msg["To"] = html_only
    msg["Subject"] = "html"
    msg.set_content(
        '<html><head><style>.x{color:#999999}</style></head><body bgcolor="#111111">'
        "Your code is <strong>135790</strong></body></html>",
        subtype="html",
    )
    assert extract_code(msg) == "135790"


def test_wait_for_blocks_until_matching_message_arrives(smtp: SmtpSink) -> None:
    to = unique_email()
    _send(smtp, to, "welcome, no code here", subject="Welcome")
    seen = smtp.count(to)
    sender = threading.Thread(
        target=_send, args=(smtp, to, "your code is 909090"), kwargs={"subject": "Code"}
    )

    sender.start()  # the sink is woken by the delivery: no sleeps, no timing assumptions
    message = smtp.wait_for(to, timeout=30, predicate=lambda m: m["Subject"] == "Code", after=seen)
    sender.join()

    assert extract_code(message) == "909090"
    assert smtp.wait_for(to, predicate=lambda m: m["Subject"] == "Welcome")["Subject"] == "Welcome"


def test_wait_for_reports_what_arrived_when_nothing_matches(smtp: SmtpSink) -> None:
    to = unique_email()
    _send(smtp, to, "no code", subject="Hello")

    with pytest.raises(AssertionError, match="no message to"):
        smtp.wait_for(to, timeout=0, predicate=lambda m: False)
    with pytest.raises(AssertionError, match="has no 6-digit code"):
        smtp.last_code(to, timeout=0)
    with pytest.raises(AssertionError, match="no message to"):
        smtp.last_code(unique_email(), timeout=0)


def test_clear_forgets_messages() -> None:
    with SmtpSink() as sink:  # private sink: clearing the session one would disturb other tests
        to = unique_email()
        _send(sink, to, "code 101010")
        assert sink.count() == 1
        sink.clear()
        assert sink.messages() == []
        assert sink.messages(to) == []


# --- require ---------------------------------------------------------------------------------------


def test_require_passes_when_condition_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COGNATE_REQUIRE_ALL", "1")
    require(True, "never shown")


def test_require_skips_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COGNATE_REQUIRE_ALL", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no widget"):
        require(False, "no widget")


def test_require_fails_when_everything_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COGNATE_REQUIRE_ALL", "1")
    with pytest.raises(pytest.fail.Exception, match="no widget"):
        require(False, "no widget")


# --- helpers ---------------------------------------------------------------------------------------


def test_factories_make_unique_values_and_policy_passwords() -> None:
    assert unique_email() != unique_email()
    assert re.fullmatch(r"user-[0-9a-f]{8}@example\.test", unique_email())
    assert re.fullmatch(r"pool-[0-9a-f]{8}", unique_name("pool"))
    password = strong_password()
    assert len(password) >= 8
    for pattern in (r"[A-Z]", r"[a-z]", r"[0-9]", r"[^A-Za-z0-9]"):
        assert re.search(pattern, password), pattern


def test_free_port_is_bindable() -> None:
    import socket

    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


# --- the server fixtures (need a working `cognate serve`) ------------------------------------------


def test_server_answers_boto3_and_raw_requests(server: CognateServer, idp: Any, idp_public: Any) -> None:
    assert "UserPools" in idp.list_user_pools(MaxResults=10)

    status, headers, body = server.raw_post("ListUserPools", {"MaxResults": 10}, signed=True)
    assert status == 200, body
    assert "UserPools" in body
    assert headers["content-type"].startswith("application/x-amz-json-1.1")

    status, _, body = server.raw_post("ListUserPools", {"MaxResults": 10})  # unsigned admin call
    assert status == 400
    assert "__type" in body

    with pytest.raises(ClientError):
        idp_public.list_user_pools(MaxResults=10)


def test_fresh_server_keeps_data_across_kill_and_restart(fresh_server: ServerFactory) -> None:
    srv = fresh_server()
    idp = srv.client()
    pool = create_pool(idp)
    url = srv.url

    srv.kill()
    assert not srv.running
    srv.restart()

    assert srv.running and srv.url == url
    names = [p["Name"] for p in idp.list_user_pools(MaxResults=60)["UserPools"]]
    assert pool["Name"] in names
