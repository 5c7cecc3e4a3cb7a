"""Framework-free request and response records: ``web/`` adapts Starlette to these, ``wire/`` speaks them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class HttpRequest:
    method: str
    raw_path: str
    query_string: str
    headers: list[tuple[str, str]]
    body: bytes
    client: str = ""

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None


@dataclass
class HttpResponse:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    # What the access log may say about the request: never parameters, only names and types.
    operation: str = ""
    error_type: str = ""
