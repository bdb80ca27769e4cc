"""moto's FSx serves neither `Lifecycle` nor `CreationTime` (AWS always does) and draws file
system ids from `uuid.uuid4`, outside the seeded generator every other id comes from. The estate
serves both fields the AWS way and draws the ids from moto's seeded generator, so FSx is judged
like AWS and the same seed gives the same ids. Applied once, idempotently, before seeding."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

_CREATED = "estate_creation_time"


def install() -> None:
    import moto.fsx.models as fsx
    from moto.moto_api._internal import mock_random

    if getattr(fsx.FileSystem.to_dict, "_estate", False):
        return
    fsx.uuid4 = mock_random.uuid4  # type: ignore[attr-defined]
    original = fsx.FileSystem.to_dict
    init = fsx.FileSystem.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        setattr(self, _CREATED, time.time())  # AWS stamps creation; moto does not


    def to_dict(self: Any) -> dict[str, Any]:
        out: dict[str, Any] = original(self)
        out.setdefault("Lifecycle", "AVAILABLE")
        when = getattr(self, _CREATED, None)
        if when is not None:
            out["CreationTime"] = when
        return out

    to_dict._estate = True  # type: ignore[attr-defined]
    fsx.FileSystem.__init__ = __init__  # type: ignore[method-assign]
    fsx.FileSystem.to_dict = to_dict  # type: ignore[method-assign]


def fsx_created(file_system: Any, when: datetime) -> None:
    """Served as epoch seconds, like moto's other dates."""
    setattr(file_system, _CREATED, when.timestamp())
