"""The one place the estate extends moto where its model lacks an AWS field the checks read.

moto's `FakeSecret.to_dict` always serves `LastAccessedDate: null`, so every secret would look
never-read and "unused secret" could not tell waste from healthy. AWS serves the date (day
precision) of the last read; the estate records it on the secret and serves it the AWS way.
Applied once, idempotently, before seeding.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from moto.secretsmanager.models import FakeSecret

_ATTR = "estate_last_accessed"


def install() -> None:
    if getattr(FakeSecret.to_dict, "_estate", False):
        return
    original = FakeSecret.to_dict

    def to_dict(self: FakeSecret) -> dict[str, Any]:
        out: dict[str, Any] = original(self)
        when = getattr(self, _ATTR, None)
        if when is not None:
            out["LastAccessedDate"] = when
        return out

    to_dict._estate = True  # type: ignore[attr-defined]
    FakeSecret.to_dict = to_dict  # type: ignore[method-assign]


def secret_accessed(secret: Any, when: datetime) -> None:
    """AWS rounds LastAccessedDate down to the day; served as epoch seconds like moto's dates."""
    day = when.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    setattr(secret, _ATTR, day.timestamp())
