"""Fail-stop: a record that can be neither stored nor dead-lettered stops the worker.

Why stop rather than skip: the engines commit offsets, and an offset committed past a record that was
not stored is a silent loss (only a replay brings it back). So any failure of storing or
dead-lettering (DLQ unreachable past its delivery timeout, a write error, a bug) ends the worker
with a non-zero exit and an error naming topic/partition/offset, before anything further is
committed; a restart after the cause is gone re-reads from the last commit and loses nothing.
"""

from __future__ import annotations

import logging
import os
import sys

log = logging.getLogger(__name__)

EXIT_FAILED = 70  # EX_SOFTWARE: the worker stopped on a record it could not handle


class StreamFailure(RuntimeError):
    """Records of `topic[partition]` from `offset` on could not be stored or dead-lettered."""

    def __init__(self, topic: str, partition: int | None, offset: int | None, cause: str) -> None:
        self.topic, self.partition, self.offset = topic, partition, offset
        super().__init__(f"{topic}[{partition}]@{offset}: {cause}")


def describe(exc: BaseException) -> dict[str, object]:
    """Log fields of a failure: where it happened when known, and what it was."""
    where: dict[str, object] = {"error": f"{type(exc).__name__}: {exc}"}
    if isinstance(exc, StreamFailure):
        where.update(topic=exc.topic, partition=exc.partition, offset=exc.offset)
    cause = exc.__cause__
    if cause is not None:
        where["cause"] = f"{type(cause).__name__}: {cause}"
    return where


def report(exc: BaseException) -> None:
    log.critical("stream worker stopped: record neither stored nor dead-lettered; no further offset is "
                 "committed", extra=describe(exc), exc_info=exc)


def exit_now(exc: BaseException) -> None:
    """Log `exc` and end the process at once, without shutdown hooks.

    For the faust engine: faust treats a crashed agent by logging it, acking the agent's events and
    going on committing; its orderly shutdown commits acked offsets as well. A hard exit is the one
    way to be sure nothing is committed after the failure (what was acked before it is durable).
    """
    report(exc)
    for handler in logging.getLogger().handlers:
        handler.flush()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(EXIT_FAILED)
