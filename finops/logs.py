"""Structured logging: `key=value` text for people, one JSON object per line for machines."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

_RESERVED = set(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        extra = {k: v for k, v in vars(record).items() if k not in _RESERVED}
        base = f"{self.formatTime(record, '%H:%M:%S')} {record.levelname:<7} {record.name}: "
        base += record.getMessage()
        if extra:
            base += " " + " ".join(f"{k}={_short(v)}" for k, v in sorted(extra.items()))
        if record.exc_info:
            base += "\n" + self.formatException(record.exc_info)
        return base


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        doc.update({k: v for k, v in vars(record).items() if k not in _RESERVED})
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        return json.dumps(doc, default=str, sort_keys=True)


class TransientKafkaErrors(logging.Filter):
    """Shows a retriable Kafka client error as a WARNING, not an ERROR.

    aiokafka logs, at ERROR, a group coordinator lookup that the broker answers with
    COORDINATOR_NOT_AVAILABLE (the offsets topic is still being created a moment after the
    broker started), then retries and succeeds: start-up noise, not a fault. A record counts as
    transient when one of its arguments is a client error marked retriable; the text says it
    is retried, and a persistent one still shows (as a warning, on every retry)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.ERROR and record.name.startswith("aiokafka") and any(
                getattr(a, "retriable", False) is True for a in _args_of(record)):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg = f"{record.msg} (retriable; the client retries)"
        return True


def _args_of(record: logging.LogRecord) -> tuple[Any, ...]:
    args = record.args
    if isinstance(args, tuple):
        return args
    return tuple(args.values()) if isinstance(args, dict) else ()


def _short(value: Any) -> str:
    text = str(value)
    return repr(text) if " " in text else text


def configure_logging(level: str = "INFO", fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else KeyValueFormatter())
    handler.addFilter(TransientKafkaErrors())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiokafka", "faust", "mode", "botocore", "urllib3", "werkzeug"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))


def dict_config(level: str = "INFO", fmt: str = "text") -> dict[str, Any]:
    """The same set-up as a `logging.config.dictConfig` dict, for frameworks (faust/mode) that
    configure logging themselves at start-up."""
    formatter = "finops.logs.JsonFormatter" if fmt == "json" else "finops.logs.KeyValueFormatter"
    quiet = logging.getLevelName(max(logging.WARNING, logging.getLevelName(level.upper())))
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"finops": {"()": formatter}},
        "filters": {"transient": {"()": "finops.logs.TransientKafkaErrors"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "finops", "stream": "ext://sys.stderr",
                                "filters": ["transient"]}},
        "root": {"level": level.upper(), "handlers": ["stderr"]},
        "loggers": {name: {"level": quiet} for name in ("aiokafka", "faust", "mode", "botocore", "urllib3")},
    }
