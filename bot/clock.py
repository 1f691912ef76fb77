"""The one place that reads the wall clock, so tests and benchmarks can pass their own time."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Aware UTC; SQLModel's UTCDateTime columns store and return it the same on both stores."""
    return datetime.now(UTC)
