"""SMS through a webhook: POST ``{"to", "message", "purpose"}`` as JSON to ``COGNATE_SMS_WEBHOOK_URL``."""

from __future__ import annotations

import json
import urllib.request


class SmsWebhook:
    def __init__(self, url: str, timeout: float = 10.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError("the SMS webhook URL must be http or https")
        self.url = url
        self.timeout = timeout

    def send(self, to: str, message: str, purpose: str) -> None:
        """Raises OSError (urllib's URLError/HTTPError) when the receiver does not answer 2xx."""
        body = json.dumps({"to": to, "message": message, "purpose": purpose}).encode()
        request = urllib.request.Request(self.url, data=body, method="POST",  # noqa: S310 - scheme checked above
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            response.read()
