"""KMS customer-managed keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from checks.services.base import ServiceBase, cached
from checks.services.ec2 import utc


@dataclass(frozen=True)
class Key:
    id: str
    arn: str
    state: str
    manager: str  # CUSTOMER | AWS
    created: datetime
    description: str = ""


class KMSService(ServiceBase):
    name = "kms"

    @cached
    def keys(self) -> list[Key]:
        out = []
        for item in self.paginate("ListKeys", "Keys"):
            key_id = item.get("KeyId", "<unknown>")
            described = self.per_resource(key_id, partial(self.call, "DescribeKey", KeyId=key_id))
            if described is None:
                continue
            meta = described.get("KeyMetadata") or {}
            try:
                out.append(Key(meta["KeyId"], meta["Arn"], meta["KeyState"],
                               meta.get("KeyManager", "CUSTOMER"), utc(meta["CreationDate"]),
                               meta.get("Description", "")))
            except (KeyError, TypeError, ValueError) as exc:
                self.record_malformed("DescribeKey", key_id, exc)
        return out
