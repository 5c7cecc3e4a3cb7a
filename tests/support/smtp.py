"""A real SMTP sink (aiosmtpd) that records every message the server sends.

Waiting is event-driven (a condition variable notified on each delivery), so tests do not depend on
timing: the timeout is only an upper bound for a message that never comes.

Typical use::

    seen = smtp.count(email)                  # messages already received by this address
    idp.sign_up(...)
    code = smtp.last_code(email, after=seen)  # waits for a newer message, returns its 6-digit code
"""

from __future__ import annotations

import email
import email.policy
import html
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any

from aiosmtpd.controller import Controller

from .net import free_port

CODE_RE = re.compile(r"(?<!\d)\d{6}(?!\d)")
_HTML_DROP_RE = re.compile(r"<(style|script|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_HTML_TAG_RE = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Received:
    """One delivered message with its SMTP envelope."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage

    def is_to(self, address: str) -> bool:
        """Whether `address` is an envelope recipient or in the To/Cc headers (case-insensitive)."""
        wanted = address.strip().lower()
        if any(r.lower() == wanted for r in self.rcpt_tos):
            return True
        headers = [str(v) for v in (self.message.get_all("To", []) + self.message.get_all("Cc", []))]
        return any(addr.lower() == wanted for _, addr in getaddresses(headers))


def message_text(message: EmailMessage) -> str:
    """The readable text of a message: its text/plain parts, else its HTML parts without markup."""
    plain: list[str] = []
    markup: list[str] = []
    for part in message.walk():
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        content = part.get_content() if isinstance(part, EmailMessage) else part.get_payload(decode=True)
        if isinstance(content, bytes):
            content = content.decode(part.get_content_charset() or "utf-8", "replace")
        if part.get_content_subtype() == "html":
            markup.append(html.unescape(_HTML_TAG_RE.sub(" ", _HTML_DROP_RE.sub(" ", str(content)))))
        else:
            plain.append(str(content))
    return "\n".join(plain or markup)


def extract_code(message: EmailMessage) -> str | None:
    """The last run of exactly 6 digits in the message body (Cognito's `{####}` replacement)."""
    codes = CODE_RE.findall(message_text(message))
    return codes[-1] if codes else None


class _Recorder:
    """aiosmtpd handler: parses and stores every message, wakes up waiters."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.received: list[Received] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        item = Received(str(envelope.mail_from), tuple(str(r) for r in envelope.rcpt_tos), parsed)
        with self.cond:
            self.received.append(item)
            self.cond.notify_all()
        return "250 Message accepted for delivery"


class SmtpSink:
    """SMTP server on 127.0.0.1 recording every message; thread-safe."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.host = host
        self.port = port or free_port(host)
        self._recorder = _Recorder()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        """`smtp://host:port`, the value of the server's COGNATE_SMTP_URL."""
        return f"smtp://{self.host}:{self.port}"

    def start(self) -> SmtpSink:
        controller = Controller(
            self._recorder,
            hostname=self.host,
            port=self.port,
            enable_SMTPUTF8=True,
        )
        controller.start()
        self._controller = controller
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- reading --------------------------------------------------------------------------------

    def received(self, to: str | None = None) -> list[Received]:
        """Messages with their envelopes, oldest first; only those to `to` if given."""
        with self._recorder.cond:
            items = list(self._recorder.received)
        return [r for r in items if to is None or r.is_to(to)]

    def messages(self, to: str | None = None) -> list[EmailMessage]:
        """Messages received so far, oldest first; only those to `to` if given."""
        return [r.message for r in self.received(to)]

    def count(self, to: str | None = None) -> int:
        """How many messages were received (by `to`); pass it as `after=` to wait for newer ones."""
        return len(self.received(to))

    def wait_for(
        self,
        to: str,
        timeout: float = 10.0,
        predicate: Callable[[EmailMessage], bool] | None = None,
        *,
        after: int = 0,
    ) -> EmailMessage:
        """The newest message to `to` that satisfies `predicate`, waiting up to `timeout` seconds.

        Only the messages to `to` after the first `after` ones are considered (see `count`).
        Raises AssertionError, listing what did arrive, if none comes in time."""
        deadline = time.monotonic() + timeout
        with self._recorder.cond:
            while True:
                mine = [r.message for r in self._recorder.received if r.is_to(to)][after:]
                matching = [m for m in mine if predicate is None or predicate(m)]
                if matching:
                    return matching[-1]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._recorder.cond.wait(remaining)
        raise AssertionError(
            f"no message to {to!r} (after {after}) matching the predicate within {timeout}s; "
            f"received: {self._summary()}"
        )

    def last_code(self, to: str, timeout: float = 10.0, *, after: int = 0) -> str:
        """The last 6-digit code in the newest message to `to` (waiting for one as `wait_for` does)."""
        message = self.wait_for(to, timeout, after=after)
        code = extract_code(message)
        if code is None:
            raise AssertionError(
                f"newest message to {to!r} has no 6-digit code; subject={message['Subject']!r}, "
                f"body={message_text(message)[:2000]!r}"
            )
        return code

    def clear(self) -> None:
        """Forget every message received so far (the sink is shared by the whole session)."""
        with self._recorder.cond:
            self._recorder.received.clear()

    def _summary(self) -> str:
        items = self.received()
        if not items:
            return "nothing"
        return "; ".join(f"{list(r.rcpt_tos)} {r.message['Subject']!r}" for r in items[-10:])
