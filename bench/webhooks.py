"""The WhatsApp webhook under load vs a bare FastAPI insert-and-commit endpoint, on each store.

Starts the real server (`uvicorn --factory bot.web.app:create_app`, its own process, outbox
dispatcher on, sending to a fake Twilio API on 127.0.0.1) and a bare FastAPI app doing one
insert-and-commit per request on the same store (also its own process). A load generator (httpx,
async) replays WhatsApp registration conversations for many owners in parallel, with valid
`X-Twilio-Signature`s, then posts the same number of requests to the bare endpoint. Prints
requests/s and p50/p99 latency for both and the ratio (target: webhook >= 0.5 x bare).

    python bench/webhooks.py [--owners 40] [--max-seconds 60] [--stores sqlite,postgresql]
                             [--pg postgresql+psycopg://postgres@127.0.0.1:5432]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from fastapi import Request
from sqlalchemy import create_engine, text
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, SENDER, FakeTwilio  # noqa: E402
from tests.support.live_server import LiveServer, free_port  # noqa: E402

PUBLIC_URL = "https://bench.naikkelas.example.id"
PG_DB = "naikkelas_bench_web"
SCRIPT = [
    "halo",
    "1",
    "ya",
    "Siti Aminah",
    "Batik Serasan",
    "batik tulis",
    "kain batik tulis",
    "palembang",
    "Jl. Merdeka 5",
    "1234567890123",
    "2",
    "1",
]


# ---------------------------------------------------------------------------------- bare server
def bare_app():  # noqa: ANN201 - uvicorn factory
    """FastAPI, one route: read the form, one INSERT + COMMIT through the bot's own engine setup."""
    from fastapi import FastAPI
    from sqlalchemy import Column, Integer, MetaData, String, Table
    from starlette.concurrency import run_in_threadpool

    from bot.db import make_engine

    engine = make_engine(os.environ["DATABASE_URL"])
    table = Table("bench_bare", MetaData(), Column("id", Integer, primary_key=True), Column("v", String))
    table.create(engine, checkfirst=True)
    app = FastAPI()

    def insert(value: str) -> None:
        with engine.begin() as connection:
            connection.execute(table.insert().values(v=value))

    @app.post("/bare")
    async def bare(request: Request) -> dict[str, bool]:
        form = await request.form()
        await run_in_threadpool(insert, str(form.get("MessageSid")))
        return {"ok": True}

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


# ---------------------------------------------------------------------------------- processes
def start(factory: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1"]
    command += ["--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{factory} did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


# ---------------------------------------------------------------------------------- load
def signed(path: str, phone: str, body: str, sid: str) -> tuple[dict[str, str], dict[str, str]]:
    form = {
        "MessageSid": sid,
        "SmsMessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": f"whatsapp:{phone}",
        "To": SENDER,
        "Body": body,
        "NumMedia": "0",
        "ProfileName": "Siti",
        "WaId": phone.lstrip("+"),
    }
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL + path, form)
    return form, {"X-Twilio-Signature": signature}


async def load(url: str, path: str, owners: int, max_seconds: float, tag: str) -> tuple[list[float], float]:
    """Every owner runs the script in order; owners run in parallel. Returns latencies, elapsed."""
    latencies: list[float] = []
    deadline = time.monotonic() + max_seconds
    limits = httpx.Limits(max_connections=owners, max_keepalive_connections=owners)

    async def owner(client: httpx.AsyncClient, i: int) -> None:
        phone = f"+62813{i:08d}"
        for n, line in enumerate(SCRIPT):
            if time.monotonic() > deadline:
                return
            form, headers = signed(path, phone, line, f"SM{tag}{i:06d}{n:04d}")
            began = time.perf_counter()
            response = await client.post(url + path, data=form, headers=headers)
            latencies.append(time.perf_counter() - began)
            response.raise_for_status()

    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        began = time.perf_counter()
        await asyncio.gather(*(owner(client, i) for i in range(owners)))
        return latencies, time.perf_counter() - began


def summary(latencies: list[float], elapsed: float) -> tuple[float, str]:
    ordered = sorted(latencies)
    rps = len(ordered) / elapsed
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000
    return rps, f"{len(ordered)} requests, {rps:7.1f} req/s, p50 {p50:6.1f} ms, p99 {p99:6.1f} ms"


def bench_store(name: str, database_url: str, fake_url: str, args: argparse.Namespace) -> float:
    env = {
        "DATABASE_URL": database_url,
        "PUBLIC_URL": PUBLIC_URL,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_WHATSAPP_FROM": SENDER,
        "TWILIO_API_URL": fake_url,
        "TELEGRAM_BOT_TOKEN": "",
        "LOG_LEVEL": "WARNING",
    }
    server, url = start("bot.web.app:create_app", env)
    try:
        run = load(url, "/webhooks/whatsapp", args.owners, args.max_seconds, "w")
        hooks, hooks_elapsed = asyncio.run(run)
    finally:
        stop(server)
    bare, bare_url = start("bench.webhooks:bare_app", env)
    try:
        plain, plain_elapsed = asyncio.run(load(bare_url, "/bare", args.owners, args.max_seconds, "b"))
    finally:
        stop(bare)
    hooks_rps, hooks_line = summary(hooks, hooks_elapsed)
    bare_rps, bare_line = summary(plain, plain_elapsed)
    ratio = hooks_rps / bare_rps
    print(f"{name:10s} webhook /webhooks/whatsapp: {hooks_line}")
    print(f"{name:10s} bare insert+commit:        {bare_line}")
    verdict = "meets" if ratio >= 0.5 else "MISSES"
    print(f"{name:10s} ratio webhook/bare: {ratio:.2f} ({verdict} the 0.5 target)")
    return ratio


def pg_database(base: str, create: bool) -> str:
    admin = create_engine(base.rstrip("/") + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)'))
        if create:
            connection.execute(text(f'CREATE DATABASE "{PG_DB}"'))
    admin.dispose()
    return f"{base.rstrip('/')}/{PG_DB}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--owners", type=int, default=40, help="owners in parallel (12 messages each)")
    parser.add_argument("--max-seconds", type=float, default=60.0, help="stop issuing requests after this")
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    fake = FakeTwilio()
    print(f"{args.owners} owners in parallel, {len(SCRIPT)} WhatsApp messages each (registration)")
    with LiveServer(fake.app) as server, tempfile.TemporaryDirectory() as folder:
        fake.base_url = server.url
        if "sqlite" in args.stores:
            bench_store("sqlite", f"sqlite:///{folder}/bench.db", server.url, args)
            print(f"sqlite     replies sent to the fake Twilio: {len(fake.messages)}")
        if "postgresql" in args.stores:
            fake.messages.clear()
            url = pg_database(args.pg, create=True)
            try:
                bench_store("postgresql", url, server.url, args)
                print(f"postgresql replies sent to the fake Twilio: {len(fake.messages)}")
            finally:
                pg_database(args.pg, create=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
