"""The Messenger: a real transport for each channel when one is configured, the outbox otherwise.

The outbox is written in the operation's own transaction, so a message exists exactly when the code it
carries does. A transport failure raises CodeDeliveryFailureException, which rolls the operation back.
"""

from __future__ import annotations

import logging
import smtplib

from cognate.delivery.sms import SmsWebhook
from cognate.delivery.smtp import SmtpSender
from cognate.domain.errors import CodeDeliveryFailureException
from cognate.domain.userpool.model import OutboxMessage
from cognate.store.ports import UnitOfWork

log = logging.getLogger("cognate.delivery")


class Messenger:
    def __init__(self, smtp: SmtpSender | None, sms: SmsWebhook | None) -> None:
        self.smtp = smtp
        self.sms = sms

    def send(self, uow: UnitOfWork, message: OutboxMessage) -> None:
        try:
            if message.channel == "EMAIL" and self.smtp is not None:
                self.smtp.send(message.destination, message.subject or "", message.body, message.sender,
                               message.reply_to)
            elif message.channel == "SMS" and self.sms is not None:
                self.sms.send(message.destination, message.body, message.purpose)
            else:
                uow.outbox.add(message)
        except (OSError, smtplib.SMTPException) as exc:
            # The destination and body carry personal data and a code: log neither.
            log.warning("delivery failed", extra={"channel": message.channel, "error": type(exc).__name__})
            raise CodeDeliveryFailureException(f"Unable to deliver the {message.channel} message.") from exc
