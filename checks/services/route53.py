"""Route 53 hosted zones (a global service: listed once, from the us-east-1 scan)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from checks.services.base import ServiceBase, cached, parse_items

GLOBAL_REGION = "us-east-1"  # Route 53's API lives here; zones are judged in this scan only


@dataclass(frozen=True)
class HostedZone:
    id: str  # bare id, without the "/hostedzone/" prefix
    name: str
    private: bool
    record_sets: int


def _zone(raw: dict[str, Any]) -> HostedZone:
    return HostedZone(
        id=raw["Id"].rsplit("/", 1)[-1],
        name=raw["Name"],
        private=bool((raw.get("Config") or {}).get("PrivateZone")),
        record_sets=int(raw["ResourceRecordSetCount"]),
    )


class Route53Service(ServiceBase):
    name = "route53"

    @cached
    def hosted_zones(self) -> list[HostedZone]:
        raw = self.paginate("ListHostedZones", "HostedZones")
        return parse_items(self, "ListHostedZones", raw, _zone, lambda r: r["Id"])
