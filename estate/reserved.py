"""Reserved Instances, which moto does not model (its DescribeReservedInstances raises
NotImplementedError). The estate holds them here and `EstateGateway` serves them in EC2's own
XML, so the scanner reads them through boto3 like any other inventory."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class ReservedInstance:
    id: str
    instance_type: str
    count: int
    start: datetime
    end: datetime
    hourly: float
    offering_type: str = "No Upfront"
    az: str | None = None  # a zonal RI: covers this type in this Availability Zone only

    @property
    def state(self) -> str:
        return "active" if self.end > datetime.now(UTC) else "retired"

    def to_xml(self) -> str:
        duration = int((self.end - self.start).total_seconds())
        fields = {
            "reservedInstancesId": self.id, "instanceType": self.instance_type,
            "start": _iso(self.start), "end": _iso(self.end), "duration": str(duration),
            "usagePrice": "0.0", "fixedPrice": "0.0", "instanceCount": str(self.count),
            "productDescription": "Linux/UNIX", "state": self.state,
            "instanceTenancy": "default", "currencyCode": "USD",
            "offeringType": self.offering_type, "offeringClass": "standard",
            "scope": "Availability Zone" if self.az else "Region",
        }
        if self.az:
            fields["availabilityZone"] = self.az
        body = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in fields.items())
        charges = (f"<recurringCharges><item><frequency>Hourly</frequency>"
                   f"<amount>{self.hourly}</amount></item></recurringCharges>")
        return f"<item>{body}{charges}</item>"


class ReservedInstanceStore:
    def __init__(self) -> None:
        self._items: dict[tuple[str, str], list[ReservedInstance]] = {}
        self._lock = threading.Lock()

    def add(self, account_id: str, region: str, ri: ReservedInstance) -> None:
        with self._lock:
            self._items.setdefault((account_id, region), []).append(ri)

    def items(self, account_id: str, region: str) -> list[ReservedInstance]:
        with self._lock:
            return list(self._items.get((account_id, region), []))

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def describe_xml(self, account_id: str, region: str) -> bytes:
        with self._lock:
            items = list(self._items.get((account_id, region), []))
        ns = "http://ec2.amazonaws.com/doc/2016-11-15/"
        return (f'<DescribeReservedInstancesResponse xmlns="{ns}"><requestId>estate</requestId>'
                f"<reservedInstancesSet>{''.join(ri.to_xml() for ri in items)}"
                f"</reservedInstancesSet></DescribeReservedInstancesResponse>").encode()


def _iso(ts: datetime) -> str:
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


STORE = ReservedInstanceStore()  # one per process, like moto's own backends
