"""Email over SMTP with the standard library's smtplib (``smtp://``, ``smtps://``, ``smtp+starttls://``)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit


class SmtpSender:
    def __init__(self, url: str, sender: str, timeout: float = 10.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps", "smtp+starttls"):
            raise ValueError(f"unsupported SMTP URL scheme {parts.scheme!r}")
        self.scheme = parts.scheme
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (465 if parts.scheme == "smtps" else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender
        self.timeout = timeout

    def send(self, to: str, subject: str, body: str, sender: str | None = None, reply_to: str | None = None) -> None:
        """Raises OSError or smtplib.SMTPException when the message cannot be handed over."""
        message = EmailMessage()
        message["From"] = sender or self.sender
        message["To"] = to
        if reply_to:
            message["Reply-To"] = reply_to
        # A pool's subject may hold line breaks (its pattern allows \s); a header cannot.
        message["Subject"] = " ".join(subject.splitlines())
        message.set_content(body)
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if self.scheme == "smtps":
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with client:
            if self.scheme == "smtp+starttls":
                client.starttls(context=context)
            if self.user is not None:
                client.login(self.user, self.password or "")
            # The envelope names the one recipient: never the addresses a lenient parse finds in the To header.
            client.send_message(message, from_addr=self.sender, to_addrs=[to])
