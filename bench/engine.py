"""Turn cost on each store: full registration conversations through the real turn path.

Prints turns/second per process, p50/p99 turn latency, the cost of one bare insert-and-commit on
the same store, and the ratio (target: a turn costs at most 3 bare commits; p99 < 20 ms on SQLite).

    python bench/engine.py [--owners 40] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/naikkelas_bench]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, text

from bot.config import Settings
from bot.core import build_core
from bot.db import transaction
from bot.messages import Inbound
from bot.turns import handle_inbound

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
    "0812 3456 7890",
    "1234567890123",
    "2",
    "1",
]
bare = Table("bench_bare", MetaData(), Column("id", Integer, primary_key=True), Column("v", String))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench(url: str, owners: int) -> tuple[list[float], list[float]]:
    """Turns and bare commits interleaved one for one, so both see the same machine conditions
    (a shared VM drifts by tens of percent within a minute; separate phases would compare noise)."""
    core = build_core(Settings(_env_file=None, database_url=url))
    bare.create(core.db, checkfirst=True)
    turns, commits = [], []
    for i in range(owners):
        for n, line in enumerate(SCRIPT):
            start = time.perf_counter()
            handle_inbound(core, Inbound("console", f"+62812{i:08d}", text=line, message_id=f"b{i}-{n}"))
            turns.append(time.perf_counter() - start)
            start = time.perf_counter()
            with transaction(core.db) as session:
                session.execute(bare.insert().values(v=f"row {i} {n}"))
            commits.append(time.perf_counter() - start)
    core.db.dispose()
    return turns, commits


def report(name: str, turns: list[float], commits: list[float]) -> None:
    ms = 1000
    turn_mean, bare_mean = statistics.mean(turns), statistics.mean(commits)
    print(
        f"{name}: {len(turns)} turns, {1 / turn_mean:,.0f} turns/s per process, "
        f"p50 {percentile(turns, 0.5) * ms:.2f} ms, p99 {percentile(turns, 0.99) * ms:.2f} ms"
    )
    print(
        f"{name}: bare insert+commit mean {bare_mean * ms:.2f} ms, p50 {percentile(commits, 0.5) * ms:.2f} ms"
    )
    print(f"{name}: turn / bare commit = {turn_mean / bare_mean:.2f} (target <= 3)")


def fresh_pg(url: str) -> str:
    admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    name = url.rsplit("/", 1)[1]
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--owners", type=int, default=40)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/naikkelas_bench")
    parser.add_argument("--skip-pg", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        report("sqlite", *bench(url, args.owners))
    if not args.skip_pg:
        url = fresh_pg(args.pg)
        report("postgresql", *bench(url, args.owners))


if __name__ == "__main__":
    main()
