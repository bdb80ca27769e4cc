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


def _short(value: Any) -> str:
    text = str(value)
    return repr(text) if " " in text else text


def configure_logging(level: str = "INFO", fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else KeyValueFormatter())
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
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "finops", "stream": "ext://sys.stderr"}},
        "root": {"level": level.upper(), "handlers": ["stderr"]},
        "loggers": {name: {"level": quiet} for name in ("aiokafka", "faust", "mode", "botocore", "urllib3")},
    }
