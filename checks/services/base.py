"""What every service module shares: clients built from the scan's session, pagination that
survives throttling, memoized calls, and collection errors that are recorded, never swallowed.

Error policy: a failed *collection* (AccessDenied, an unsupported operation, an unreachable
endpoint, throttling that outlasted the retries) raises `CollectionFailed`; the runner records
it against every check that needed that data and skips those checks. A scan therefore never
reports "nothing found" from data it could not read. A single malformed *resource* is skipped and
recorded (`record_malformed`), because one odd volume must not hide the other nine hundred.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import jmespath
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError
from botocore.paginate import TokenEncoder

if TYPE_CHECKING:
    from checks.model import ScanContext

T = TypeVar("T")

THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "SlowDown",
        "RequestThrottled",
        "LimitExceededException",
    }
)
BOTO_CONFIG = Config(retries={"mode": "standard", "max_attempts": 6}, connect_timeout=10,
                     read_timeout=30)


class CollectionFailed(Exception):
    """Data a check needs could not be collected; carries where and why."""

    def __init__(self, service: str, operation: str, code: str, message: str) -> None:
        self.service = service
        self.operation = operation
        self.code = code
        self.message = message
        super().__init__(f"{service}:{operation} failed: {code}: {message}")


def error_code(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "ClientError"))
    if isinstance(exc, EndpointConnectionError):
        return "EndpointConnectionError"
    if isinstance(exc, NotImplementedError):  # moto in-process: an operation it lacks
        return "UnsupportedOperation"
    return type(exc).__name__


def backoff_delays(attempts: int, base: float = 0.5, cap: float = 20.0,
                   rng: random.Random | None = None) -> list[float]:
    """Full-jitter exponential backoff (AWS Architecture Blog, "Exponential Backoff And
    Jitter"): attempt n waits uniform(0, min(cap, base * 2**n))."""
    r = rng or random.Random()
    return [r.uniform(0, min(cap, base * 2**n)) for n in range(attempts)]


class ServiceBase:
    """Base of a service module; `name` is the boto3 service name."""

    name: str = ""
    retry_attempts: int = 4
    sleep: Callable[[float], None] = staticmethod(time.sleep)

    def __init__(self, ctx: ScanContext) -> None:
        self.ctx = ctx
        self._client: Any = None
        self._memo: dict[Any, Any] = {}

    def client(self, name: str | None = None, region: str | None = None) -> Any:
        if name is None and region is None:
            if self._client is None:
                self._client = self._make_client(self.name, self.ctx.region)
            return self._client
        return self._make_client(name or self.name, region or self.ctx.region)

    def _make_client(self, name: str, region: str) -> Any:
        # boto3 honours AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> from the environment.
        return self.ctx.session.client(name, region_name=region, config=BOTO_CONFIG)

    # -- calls ----------------------------------------------------------------------------------

    def call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        """One API call with throttling retries beyond botocore's; failures become
        CollectionFailed."""
        method = getattr(self.client(), _snake(operation))
        return self._retrying(operation, lambda: method(**kwargs))

    def paginate(self, operation: str, result_key: str, **kwargs: Any) -> list[Any]:
        """All items of a paginated operation. A throttled page is retried from the last page
        token (so one throttle does not restart a 10,000-item listing)."""
        return list(self.iter_pages(operation, result_key, **kwargs))

    def iter_pages(self, operation: str, result_key: str, **kwargs: Any) -> Iterator[Any]:
        paginator = self.client().get_paginator(_snake(operation))
        token: str | None = None
        delays = iter(backoff_delays(self.retry_attempts))
        while True:
            config = {"StartingToken": token} if token else {}
            pages = paginator.paginate(**kwargs, PaginationConfig=config)
            try:
                for page in pages:
                    yield from page.get(result_key, []) or []
                    token = _next_token(paginator, page)
                return
            except ClientError as exc:
                if error_code(exc) in THROTTLING_CODES:
                    delay = next(delays, None)
                    if delay is not None:
                        self.sleep(delay)
                        continue
                raise self._failed(operation, exc) from exc
            except Exception as exc:  # noqa: BLE001 - any other failure of the call (parser
                # errors on a 500 page, connection errors, moto NotImplemented) is terminal
                raise self._failed(operation, exc) from exc

    def _retrying(self, operation: str, fn: Callable[[], T]) -> T:
        delays = backoff_delays(self.retry_attempts)
        for attempt in range(self.retry_attempts + 1):
            try:
                return fn()
            except ClientError as exc:
                if error_code(exc) in THROTTLING_CODES and attempt < self.retry_attempts:
                    self.sleep(delays[attempt])
                    continue
                raise self._failed(operation, exc) from exc
            except Exception as exc:  # noqa: BLE001 - any other failure of the call (parser
                # errors on a 500 page, connection errors, moto NotImplemented) is terminal
                raise self._failed(operation, exc) from exc
        raise AssertionError("unreachable")

    def _failed(self, operation: str, exc: BaseException) -> CollectionFailed:
        message = str(exc)
        return CollectionFailed(self.name, operation, error_code(exc), message[:500])

    def memo(self, key: Any, fn: Callable[[], T]) -> T:
        """Cache a collection per scan; a failure is cached too, so the second check that needs
        the same data fails the same way without a second doomed call."""
        if key in self._memo:
            value = self._memo[key]
            if isinstance(value, CollectionFailed):
                raise value
            return value  # type: ignore[no-any-return]
        try:
            value = fn()
        except CollectionFailed as exc:
            self._memo[key] = exc
            raise
        self._memo[key] = value
        return value

    def per_resource(self, resource: str, fn: Callable[[], T]) -> T | None:
        """Run a per-resource call; on failure record it against the resource and return None,
        so one bucket with a restrictive policy does not blind the scan to every other bucket.
        Use only where a skipped resource cannot turn into a false finding."""
        try:
            return fn()
        except CollectionFailed as exc:
            self.ctx.record(exc.service, exc.operation, exc.code,
                            f"{resource}: skipped, {exc.message}")
            return None

    def record_malformed(self, operation: str, resource: str, exc: BaseException) -> None:
        self.ctx.record(self.name, operation, "MalformedResource",
                        f"{resource}: skipped, {type(exc).__name__}: {exc}")


def cached(fn: Callable[..., T]) -> Callable[..., T]:
    """Memoize a service method per scan (arguments must be hashable)."""

    @functools.wraps(fn)
    def wrapper(self: ServiceBase, *args: Any) -> T:
        return self.memo((fn.__name__, args), lambda: fn(self, *args))

    return wrapper


def _next_token(paginator: Any, page: dict[str, Any]) -> str | None:
    """The StartingToken that resumes after `page` (botocore only exposes `resume_token` when
    MaxItems truncates, so it is rebuilt from the paginator's declared output tokens)."""
    cfg = paginator._pagination_cfg  # the paginators-1.json entry of this operation
    inputs = cfg["input_token"] if isinstance(cfg["input_token"], list) else [cfg["input_token"]]
    outputs = cfg["output_token"] if isinstance(cfg["output_token"], list) else \
        [cfg["output_token"]]
    values = [jmespath.search(expr, page) for expr in outputs]
    if all(v is None for v in values):
        return None
    pairs = {k: v for k, v in zip(inputs, values, strict=True) if v is not None}
    return str(TokenEncoder().encode(pairs))


def _snake(operation: str) -> str:
    return str(xform_name(operation))


def parse_items(svc: ServiceBase, operation: str, items: list[Any],
                build: Callable[[Any], T], ident: Callable[[Any], str]) -> list[T]:
    """Build a model per raw item; a malformed item is skipped and recorded, never fatal."""
    out: list[T] = []
    for raw in items:
        try:
            out.append(build(raw))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            try:
                name = ident(raw)
            except Exception:  # noqa: BLE001 - the id itself may be the missing field
                name = "<unknown>"
            svc.record_malformed(operation, name, exc)
    return out
