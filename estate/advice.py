"""AWS's own advice, which moto does not model: Cost Optimization Hub recommendations and Compute
Optimizer EC2 instance and EBS volume recommendations. The estate holds them here per (account,
region), in AWS's response shapes, and `EstateGateway` answers the three read operations with
AWS's filters and pagination, so the scanner reads them through boto3 like any other inventory.

Who sees what follows AWS: Cost Optimization Hub is one global endpoint where the organization's
management account sees every member account and a member only its own; Compute Optimizer is
regional and takes one `accountIds` entry, another account's only from the management account.
A parameter the estate does not simulate is refused (`UnsupportedOperation`), never ignored: an
ignored filter would answer more than AWS does and hide a collector's mistake.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from estate.plan import MANAGEMENT_ACCOUNT

COH, CO = "cost-optimization-hub", "compute-optimizer"
# COH's `filter` members with list values, and the recommendation field each one matches
_COH_LIST_FILTERS = {
    "accountIds": "accountId", "regions": "region", "resourceTypes": "currentResourceType",
    "actionTypes": "actionType", "resourceIds": "resourceId", "resourceArns": "resourceArn",
    "recommendationIds": "recommendationId", "implementationEfforts": "implementationEffort",
}
_COH_FLAGS = ("restartNeeded", "rollbackPossible")
COH_MAX_RESULTS = 1000  # botocore's model: ListRecommendationsRequestMaxResultsInteger
CO_MAX_RESULTS = 1000  # botocore's model: MaxResults of compute-optimizer
DEFAULT_PAGE = 100


class AdviceError(Exception):
    """An AWS error answer: code, message, HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.status = code, message, status


def _unsupported(what: str) -> AdviceError:
    return AdviceError("UnsupportedOperation", f"not simulated by the estate: {what}")


def _refuse_unknown(request: dict[str, Any], known: set[str], operation: str) -> None:
    extra = sorted(set(request) - known)
    if extra:
        raise _unsupported(f"{operation} parameter(s) {', '.join(extra)}")


def _page(items: list[dict[str, Any]], request: dict[str, Any], result_key: str,
          limit: int) -> dict[str, Any]:
    """One page and the token of the next (the offset, opaque to callers)."""
    size = request.get("maxResults") or DEFAULT_PAGE
    if not 0 < size <= limit:
        raise AdviceError("ValidationException", f"maxResults must be 1..{limit}, got {size}")
    token = request.get("nextToken")
    try:
        start = int(token.removeprefix("estate-")) if token else 0
    except ValueError:
        start = -1
    if not 0 <= start <= len(items):
        raise AdviceError("ValidationException", f"invalid nextToken {token!r}")
    out: dict[str, Any] = {result_key: items[start:start + size]}
    if start + size < len(items):
        out["nextToken"] = f"estate-{start + size}"
    return out


class AdviceStore:
    def __init__(self) -> None:
        self._items: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def add(self, kind: str, account_id: str, region: str, item: dict[str, Any]) -> None:
        """`kind`: "coh" (a COH Recommendation), "instance" or "volume" (Compute Optimizer)."""
        with self._lock:
            self._items.setdefault((kind, account_id, region), []).append(item)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def _cells(self, kind: str, accounts: set[str] | None,
               region: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [item for (k, account, r), items in sorted(self._items.items())
                    if k == kind and (accounts is None or account in accounts)
                    and (region is None or r == region) for item in items]

    def answer(self, service: str, operation: str, caller: str, region: str,
               request: dict[str, Any]) -> dict[str, Any] | None:
        """The response of a simulated operation, None for one the estate does not simulate."""
        handler = _HANDLERS.get((service, operation))
        return None if handler is None else handler(self, caller, region, request)

    def list_recommendations(self, caller: str, _region: str,
                             request: dict[str, Any]) -> dict[str, Any]:
        _refuse_unknown(request, {"filter", "includeAllRecommendations", "maxResults",
                                  "nextToken"}, "ListRecommendations")
        flt = request.get("filter") or {}
        _refuse_unknown(flt, set(_COH_LIST_FILTERS) | set(_COH_FLAGS), "ListRecommendations filter")
        visible = None if caller == MANAGEMENT_ACCOUNT else {caller}
        items = [r for r in self._cells("coh", visible)
                 if all(r.get(field) in flt[key] for key, field in _COH_LIST_FILTERS.items()
                        if key in flt)
                 and all(r.get(flag) == flt[flag] for flag in _COH_FLAGS if flag in flt)]
        if not request.get("includeAllRecommendations"):
            best: dict[tuple[str, str], dict[str, Any]] = {}
            for r in items:  # AWS's de-duplication: the top saving per resource
                key = (r["accountId"], r["resourceId"])
                if key not in best or r["estimatedMonthlySavings"] > best[key][
                        "estimatedMonthlySavings"]:
                    best[key] = r
            items = [r for r in items if best[(r["accountId"], r["resourceId"])] is r]
        return _page(items, request, "items", COH_MAX_RESULTS)

    def _compute_optimizer(self, kind: str, arns_key: str, arn_field: str, filter_names: set[str],
                           caller: str, region: str, request: dict[str, Any],
                           operation: str) -> list[dict[str, Any]]:
        _refuse_unknown(request, {"accountIds", arns_key, "filters", "maxResults", "nextToken"},
                        operation)
        accounts = request.get("accountIds") or [caller]
        if len(accounts) != 1:
            raise AdviceError("InvalidParameterValueException",
                              "Only one account ID can be specified per request")
        if accounts[0] != caller and caller != MANAGEMENT_ACCOUNT:
            raise AdviceError("AccessDeniedException", f"account {caller} may not read the"
                              f" recommendations of account {accounts[0]}", 403)
        items = self._cells(kind, set(accounts), region)
        if arns_key in request:
            items = [r for r in items if r[arn_field] in request[arns_key]]
        for flt in request.get("filters") or []:
            name, values = flt.get("name"), set(flt.get("values") or [])
            if name not in filter_names:
                raise _unsupported(f"{operation} filter {name!r}")
            if name == "Finding":
                items = [r for r in items if r["finding"] in values]
            else:  # FindingReasonCodes: any of the given codes
                items = [r for r in items if values & set(r.get("findingReasonCodes") or [])]
        return items

    def instance_recommendations(self, caller: str, region: str,
                                 request: dict[str, Any]) -> dict[str, Any]:
        items = self._compute_optimizer("instance", "instanceArns", "instanceArn",
                                        {"Finding", "FindingReasonCodes"}, caller, region,
                                        request, "GetEC2InstanceRecommendations")
        return {**_page(items, request, "instanceRecommendations", CO_MAX_RESULTS), "errors": []}

    def volume_recommendations(self, caller: str, region: str,
                               request: dict[str, Any]) -> dict[str, Any]:
        items = self._compute_optimizer("volume", "volumeArns", "volumeArn", {"Finding"}, caller,
                                        region, request, "GetEBSVolumeRecommendations")
        return {**_page(items, request, "volumeRecommendations", CO_MAX_RESULTS), "errors": []}


_HANDLERS: dict[tuple[str, str], Callable[[AdviceStore, str, str, dict[str, Any]],
                                          dict[str, Any]]] = {
    (COH, "ListRecommendations"): AdviceStore.list_recommendations,
    (CO, "GetEC2InstanceRecommendations"): AdviceStore.instance_recommendations,
    (CO, "GetEBSVolumeRecommendations"): AdviceStore.volume_recommendations,
}
# the JSON/CBOR service names in X-Amz-Target and in RPC v2 paths
TARGET_PREFIXES = {COH: "CostOptimizationHubService", CO: "ComputeOptimizerService"}

STORE = AdviceStore()  # one per process, like moto's own backends
