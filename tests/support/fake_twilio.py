"""A fake Twilio REST API on 127.0.0.1: `Messages.json` and media, with Basic auth.

`POST /2010-04-01/Accounts/{sid}/Messages.json` answers 201 with a message resource (sid,
status) like Twilio, or a scripted error in Twilio's JSON error shape. Media URLs
(`/2010-04-01/Accounts/{sid}/Messages/{MM}/Media/{ME}`) need Basic auth too. Everything received
is recorded, so tests read what the owner would see.
"""

from __future__ import annotations

import base64
import itertools
import threading
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
SENDER = "whatsapp:+14155238886"


@dataclass
class FakeTwilio:
    sid: str = ACCOUNT_SID
    token: str = AUTH_TOKEN
    messages: list[dict[str, str]] = field(default_factory=list)
    failures: list[tuple[int, int, str]] = field(default_factory=list)
    media: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    media_requests: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    ids: Any = field(default_factory=lambda: itertools.count(1))
    base_url: str = ""

    def reset(self) -> None:
        with self.lock:
            self.messages.clear()
            self.failures.clear()
            self.media.clear()
            self.media_requests.clear()

    def fail(self, status: int, code: int, message: str) -> None:
        """The next `Messages.json` call answers with this error."""
        self.failures.append((status, code, message))

    def add_media(self, content_type: str, data: bytes) -> str:
        """A media URL as Twilio puts it in `MediaUrl0`."""
        key = f"ME{next(self.ids):032d}"
        self.media[key] = (content_type, data)
        return f"{self.base_url}/2010-04-01/Accounts/{self.sid}/Messages/MM{key[2:]}/Media/{key}"

    def sent(self, to: str | None = None) -> list[dict[str, str]]:
        return [m for m in list(self.messages) if to is None or m.get("To") == f"whatsapp:{to}"]

    @property
    def app(self) -> Starlette:
        base = "/2010-04-01/Accounts/{sid}"
        return Starlette(
            routes=[
                Route(base + "/Messages.json", self._create, methods=["POST"]),
                Route(base + "/Messages/{message}/Media/{media}", self._media, methods=["GET", "HEAD"]),
            ]
        )

    def _authorised(self, request: Request) -> bool:
        expected = base64.b64encode(f"{self.sid}:{self.token}".encode()).decode()
        return (
            request.headers.get("authorization") == f"Basic {expected}"
            and request.path_params["sid"] == self.sid
        )

    async def _create(self, request: Request) -> Response:
        if not self._authorised(request):
            return _error(401, 20003, "Authenticate")
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        with self.lock:
            failure = self.failures.pop(0) if self.failures else None
            if failure is None:
                sid = f"SM{next(self.ids):032x}"
                self.messages.append({**form, "Sid": sid})
        if failure is not None:
            return _error(*failure)
        body = {
            "sid": sid,
            "account_sid": self.sid,
            "status": "queued",
            "to": form.get("To"),
            "from": form.get("From"),
            "body": form.get("Body", ""),
            "num_media": "0",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "uri": f"/2010-04-01/Accounts/{self.sid}/Messages/{sid}.json",
        }
        return JSONResponse(body, status_code=201)

    async def _media(self, request: Request) -> Response:
        if not self._authorised(request):
            return _error(401, 20003, "Authenticate")
        self.media_requests.append((request.method, request.path_params["media"]))
        found = self.media.get(request.path_params["media"])
        if found is None:
            return _error(404, 20404, "The requested resource was not found")
        content_type, data = found
        headers = {"content-length": str(len(data))}
        return Response(data if request.method == "GET" else b"", media_type=content_type, headers=headers)


def _error(status: int, code: int, message: str) -> JSONResponse:
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return JSONResponse(body, status_code=status)
