"""Records which catalog price keys each check looks up while a scan runs.

Test helper: every check class's `collect` and `evaluate` run with the check id in a
thread-local (regions scan in parallel threads), and `PriceCatalog.get` notes the key under it.
The estate scan test then compares what each check really priced with what its metadata.json
declares (`price_keys`), so a check that prices with an undeclared key fails.
"""

from __future__ import annotations

import functools
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from checks.model import Check
from checks.prices.catalog import Price, PriceCatalog
from checks.registry import check_folders, load_check


class PriceLookups:
    def __init__(self) -> None:
        self.by_check: dict[str, set[str]] = defaultdict(set)
        self.outside: set[str] = set()  # lookups made while no check was running
        self._local = threading.local()
        self._lock = threading.Lock()

    @contextmanager
    def running(self, check_id: str) -> Iterator[None]:
        previous = getattr(self._local, "check", None)
        self._local.check = check_id
        try:
            yield
        finally:
            self._local.check = previous

    def note(self, key: str) -> None:
        check = getattr(self._local, "check", None)
        with self._lock:
            if check is None:
                self.outside.add(key)
            else:
                self.by_check[check].add(key)


def _wrap(lookups: PriceLookups, check_id: str, method: Callable[..., Any],
          materialize: bool) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(self: Check, *args: Any, **kwargs: Any) -> Any:
        with lookups.running(check_id):
            out = method(self, *args, **kwargs)
            # evaluate may be a generator: run it to the end while the check id is set
            return list(out) if materialize else out
    return wrapper


def record_price_lookups(monkeypatch: pytest.MonkeyPatch) -> PriceLookups:
    """Install the recorder for the rest of the test (undone by monkeypatch)."""
    lookups = PriceLookups()
    for folder in check_folders():
        cls = load_check(folder)
        check_id = cls.meta.id
        monkeypatch.setattr(cls, "collect", _wrap(lookups, check_id, cls.collect, False))
        monkeypatch.setattr(cls, "evaluate", _wrap(lookups, check_id, cls.evaluate, True))
    original_get = PriceCatalog.get

    def get(self: PriceCatalog, region: str, key: str) -> Price | None:
        lookups.note(key)
        return original_get(self, region, key)

    monkeypatch.setattr(PriceCatalog, "get", get)
    return lookups
