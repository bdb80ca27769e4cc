"""POST one message with retries: backoff on 5xx, 429, timeouts and connection errors; any other
4xx is final (retrying cannot help). The same body and Idempotency-Key go out on every attempt."""

from __future__ import annotations

import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 6
    base_s: float = 0.5  # wait before the 2nd attempt; doubles, capped at max_s
    max_s: float = 30.0
    timeout_s: float = 10.0


@dataclass(frozen=True, slots=True)
class Outcome:
    delivered: bool
    attempts: int
    status: int | None  # last HTTP status (None: no answer)
    error: str | None = None


def post(url: str, data: bytes, headers: dict[str, str], policy: RetryPolicy,
         sleep: Callable[[float], None] = time.sleep) -> Outcome:
    status: int | None = None
    error = ""
    for attempt in range(1, policy.attempts + 1):
        req = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json", **headers})
        retry_after = None
        try:
            with urllib.request.urlopen(req, timeout=policy.timeout_s) as resp:
                return Outcome(True, attempt, resp.status)
        except urllib.error.HTTPError as exc:
            status, error = exc.code, f"HTTP {exc.code}"
            if exc.code < 500 and exc.code != 429:
                return Outcome(False, attempt, status, error)
            retry_after = exc.headers.get("Retry-After") if exc.headers else None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            status, error = None, f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
        if attempt == policy.attempts:
            break
        wait = min(policy.max_s, policy.base_s * 2 ** (attempt - 1))
        if retry_after and retry_after.isdigit():
            wait = min(policy.max_s, max(wait, float(retry_after)))
        log.warning("webhook attempt failed; retrying",
                    extra={"url": url, "attempt": attempt, "error": error, "wait_s": wait})
        sleep(wait)
    return Outcome(False, policy.attempts, status, error)
