"""The outbox dispatcher: claims due rows per channel, sends them, and settles each row.

Runs as an asyncio task in the web process (woken after every webhook turn) and may run in
several processes at once. Per channel it keeps to a rate (Telegram about 30 messages a second
overall and a short burst per chat; Twilio the sender's messages per second). Transient errors are
retried with exponential backoff (or the provider's `retry_after`), permanent ones are recorded on
the row, a blocked Telegram bot marks the contact unreachable.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import anyio

from bot.channels.base import Channel, Held, PermanentFailure, Recipient, RetryLater, Unreachable
from bot.clock import utcnow
from bot.core import Core
from bot.db import transaction
from bot.delivery import queue
from bot.messages import Reply

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    """Sending rates per channel: messages per second overall, and a burst then 1/s per chat."""

    per_second: dict[str, float] = field(default_factory=lambda: {"telegram": 25.0, "whatsapp": 20.0})
    chat_burst: int = 3
    chat_per_second: float = 1.0
    max_attempts: int = 8
    max_backoff: float = 900.0
    lease: timedelta = timedelta(minutes=2)
    batch: int = 50


class Bucket:
    """A token bucket: `take()` waits until one token is free."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst, self.tokens, self.at = rate, burst, burst, time.monotonic()

    def delay(self) -> float:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    async def take(self) -> None:
        wait = self.delay()
        if wait:
            await asyncio.sleep(wait)


class Dispatcher:
    """Sends the outbox through the configured channels; `run()` loops, `drain()` empties it once."""

    def __init__(
        self,
        core: Core,
        channels: dict[str, Channel],
        *,
        limits: Limits | None = None,
        idle_seconds: float = 5.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.core, self.channels, self.clock = core, channels, clock
        self.limits = limits or Limits()
        self.idle_seconds = idle_seconds
        self.wakeup = asyncio.Event()
        self.round_lock = asyncio.Lock()
        self.overall = {name: Bucket(self.limits.per_second.get(name, 10.0), 1.0) for name in channels}
        self.per_chat: dict[tuple[str, str], Bucket] = {}
        self.sent: defaultdict[str, int] = defaultdict(int)

    def wake(self) -> None:
        """Something was enqueued: look now instead of at the next idle tick."""
        self.wakeup.set()

    async def run(self) -> None:
        """Until cancelled: send what is due, then sleep until woken or the idle tick."""
        while True:
            try:
                busy = await self.run_once()
            except Exception:  # noqa: BLE001 - a database hiccup must not kill delivery
                logger.exception("dispatcher round failed; retrying")
                busy = 0
            if not busy:
                await self._sleep()

    async def _sleep(self) -> None:
        with anyio.move_on_after(self.idle_seconds):
            await self.wakeup.wait()
        self.wakeup.clear()

    async def drain(self, *, now: datetime | None = None, rounds: int = 20) -> int:
        """Send everything due now (tests and the CLI); returns the number of rows handled."""
        total = 0
        for _ in range(rounds):
            handled = await self.run_once(now=now)
            total += handled
            if not handled:
                break
        return total

    async def run_once(self, *, now: datetime | None = None) -> int:
        """One round over every channel; rounds in one process never overlap."""
        async with self.round_lock:
            return await self._round(now)

    async def _round(self, now: datetime | None) -> int:
        handled = 0
        for name, channel in self.channels.items():
            rows = await anyio.to_thread.run_sync(self._claim, name, now or self.clock())
            by_chat: defaultdict[str, list[queue.Claimed]] = defaultdict(list)
            for row in rows:
                by_chat[row.address].append(row)
            outcomes: list[Outcome] = []
            async with anyio.create_task_group() as group:
                for chat_rows in by_chat.values():
                    group.start_soon(self._send_chat, name, channel, chat_rows, outcomes)
            if outcomes:
                await anyio.to_thread.run_sync(self._settle, outcomes)
            handled += len(rows)
        return handled

    def _claim(self, name: str, now: datetime) -> list[queue.Claimed]:
        with transaction(self.core.db) as session:
            return queue.claim(
                session, channel=name, now=now, lease=self.limits.lease, limit=self.limits.batch
            )

    async def _send_chat(
        self, name: str, channel: Channel, rows: list[queue.Claimed], outcomes: list[Outcome]
    ) -> None:
        """One chat's rows in order, paced per chat and per channel."""
        key = (name, rows[0].address)
        bucket = self.per_chat.setdefault(key, Bucket(self.limits.chat_per_second, self.limits.chat_burst))
        for row in rows:
            if row.unreachable:
                outcomes.append(
                    Outcome(row, {"status": "failed", "error_code": "unreachable", "error": UNREACHABLE})
                )
                continue
            await bucket.take()
            await self.overall[name].take()
            outcomes.append(await self._send(channel, row))

    async def _send(self, channel: Channel, row: queue.Claimed) -> Outcome:
        recipient = Recipient(row.contact_id, row.address, row.language, row.last_inbound_at)
        reply = Reply.from_json(row.payload)
        variables = {str(k): str(v) for k, v in (row.payload.get("template_vars") or {}).items()}
        try:
            result = await channel.send(recipient, reply, kind=row.kind, variables=variables)
        except Held as held:
            return Outcome(row, {"status": "held", "error_code": held.code, "error": held.reason})
        except Unreachable as error:
            values = {"status": "failed", "error_code": error.code, "error": error.reason}
            return Outcome(row, values, unreachable=True)
        except PermanentFailure as error:
            return Outcome(row, {"status": "failed", "error_code": error.code, "error": error.reason})
        except RetryLater as error:
            return self._retry(row, error.code, error.reason, error.retry_after)
        except Exception as error:  # noqa: BLE001 - unknown trouble: retry, never lose the row
            logger.exception("sending outbox row %s failed", row.id)
            return self._retry(row, "error", repr(error)[:500], 0.0)
        self.sent[channel.name] += 1
        values = {"status": result.status, "provider_message_id": result.provider_id, "error": None}
        return Outcome(row, {**values, "error_code": None})

    def _retry(self, row: queue.Claimed, code: str | None, reason: str, retry_after: float) -> Outcome:
        attempts = row.attempts + 1
        if attempts >= self.limits.max_attempts:
            reason = f"gave up after {attempts} attempts: {reason}"
            return Outcome(row, {"status": "failed", "error_code": code, "error": reason})
        backoff = min(self.limits.max_backoff, 2.0 ** (attempts - 1))
        when = self.clock() + timedelta(seconds=max(backoff, retry_after))
        return Outcome(
            row, {"status": "pending", "next_attempt_at": when, "error_code": code, "error": reason}
        )

    def _settle(self, outcomes: list[Outcome]) -> None:
        """Every outcome of a round in one transaction (one write, however many messages)."""
        now = self.clock()
        with transaction(self.core.db) as session:
            for outcome in outcomes:
                queue.settle(session, outcome.row.id, now=now, **{"next_attempt_at": None, **outcome.values})
                if outcome.unreachable:
                    queue.mark_unreachable(session, outcome.row.contact_id)


@dataclass
class Outcome:
    """What one send attempt did to its row."""

    row: queue.Claimed
    values: dict[str, object]
    unreachable: bool = False


UNREACHABLE = "not sent: the contact blocked the bot or can't be reached on this channel"
