"""A fake Telegram Bot API on 127.0.0.1 that speaks the real wire format.

Routes `/bot<token>/<method>` (form, multipart or JSON bodies, as python-telegram-bot sends them;
nested objects arrive as JSON strings) and `/file/bot<token>/<path>`. Replies are Bot API JSON
(`{"ok": true, "result": …}`). Errors are scripted per method (`fail("sendMessage", 403, …)`).
Everything received is recorded, so tests read what the owner would see.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

TOKEN = "123456:TEST-token_abc"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Naik Kelas", "username": "naikkelas_test_bot"}


@dataclass
class Failure:
    status: int
    description: str
    retry_after: int | None = None


@dataclass
class FakeTelegram:
    """State and recordings of the fake Bot API; `app` is the Starlette app to serve."""

    token: str = TOKEN
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    refused: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    updates: list[dict[str, Any]] = field(default_factory=list)
    webhook: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    ids: Any = field(default_factory=lambda: itertools.count(1000))
    base_url: str = ""

    def reset(self) -> None:
        with self.lock:
            self.calls.clear()
            self.refused.clear()
            self.failures.clear()
            self.files.clear()
            self.updates.clear()
            self.webhook.clear()

    def fail(self, method: str, status: int, description: str, retry_after: int | None = None) -> None:
        """The next call of `method` answers with this error."""
        self.failures.setdefault(method, []).append(Failure(status, description, retry_after))

    def add_file(self, file_id: str, data: bytes, path: str = "documents/file.pdf") -> None:
        self.files[file_id] = (path, data)

    def sent(self, chat_id: int | str | None = None) -> list[dict[str, Any]]:
        """`sendMessage` parameters, in order (to one chat when given)."""
        return [
            params
            for method, params in list(self.calls)
            if method == "sendMessage" and (chat_id is None or str(params.get("chat_id")) == str(chat_id))
        ]

    def called(self, method: str) -> list[dict[str, Any]]:
        return [params for name, params in list(self.calls) if name == method]

    @property
    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/bot{token}/{method}", self._method, methods=["GET", "POST"]),
                Route("/file/bot{token}/{path:path}", self._file, methods=["GET"]),
            ]
        )

    async def _method(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.path_params["method"]
        params = await _params(request)
        with self.lock:
            failures = self.failures.get(method)
            failure = failures.pop(0) if failures else None
            (self.calls if failure is None else self.refused).append((method, params))
        if failure is not None:
            return _error(failure.status, failure.description, failure.retry_after)
        if method == "getUpdates":
            return _ok(await self._get_updates(params))
        handler = getattr(self, f"_{method}", None)
        return _ok(handler(params)) if handler else _error(404, "Not Found: method not found")

    def _getMe(self, params: dict[str, Any]) -> Any:  # noqa: N802 - Bot API method names
        return BOT_USER

    def _sendMessage(self, params: dict[str, Any]) -> Any:  # noqa: N802
        chat = {"id": int(params["chat_id"]), "type": "private"}
        return {"message_id": next(self.ids), "date": int(time.time()), "chat": chat, "text": params["text"]}

    def _answerCallbackQuery(self, params: dict[str, Any]) -> Any:  # noqa: N802
        return True

    def _setWebhook(self, params: dict[str, Any]) -> Any:  # noqa: N802
        self.webhook.update(params)
        return True

    def _deleteWebhook(self, params: dict[str, Any]) -> Any:  # noqa: N802
        self.webhook.clear()
        return True

    def _getFile(self, params: dict[str, Any]) -> Any:  # noqa: N802
        path, data = self.files[params["file_id"]]
        return {
            "file_id": params["file_id"],
            "file_unique_id": "u" + params["file_id"],
            "file_size": len(data),
            "file_path": path,
        }

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        for _ in range(20):
            with self.lock:
                found = [u for u in self.updates if u["update_id"] >= offset]
            if found:
                return found
            await asyncio.sleep(0.05)
        return []

    async def _file(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return _error(401, "Unauthorized")
        for path, data in self.files.values():
            if path == request.path_params["path"]:
                return Response(data, media_type="application/octet-stream")
        return _error(404, "Not Found")


async def _params(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").startswith("application/json"):
        return dict(await request.json())
    form = await request.form()
    return {key: _maybe_json(value) for key, value in form.items() if isinstance(value, str)}


def _maybe_json(value: str) -> Any:
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _ok(result: Any) -> JSONResponse:
    return JSONResponse({"ok": True, "result": result})


def _error(status: int, description: str, retry_after: int | None = None) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return JSONResponse(body, status_code=status)
