"""OpenSearch Service domains with their node layout and storage. DescribeDomains carries no
creation time; the domain config's EngineVersion status does (its CreationDate is the domain's)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from checks.services.base import ServiceBase, cached
from checks.services.ec2 import utc

DESCRIBE_BATCH = 5  # DescribeDomains accepts at most 5 names


@dataclass(frozen=True)
class Domain:
    id: str  # the domain name
    account_id: str  # the ClientId dimension of its metrics
    arn: str
    processing: bool
    deleted: bool
    created: datetime | None  # None: the config could not be read, the domain is not judged
    instance_type: str
    instances: int
    master_type: str | None
    masters: int
    warm_type: str | None
    warm: int
    ebs_type: str | None
    ebs_gib_per_node: int
    tags: dict[str, str] = field(default_factory=dict)


def _domain(raw: dict[str, Any], created: datetime | None) -> Domain:
    cc = raw.get("ClusterConfig") or raw.get("ElasticsearchClusterConfig") or {}
    ebs = raw.get("EBSOptions") or {}
    masters = bool(cc.get("DedicatedMasterEnabled"))
    warm = bool(cc.get("WarmEnabled"))
    return Domain(
        id=raw["DomainName"], account_id=str(raw["DomainId"]).split("/", 1)[0],
        arn=raw.get("ARN", ""), processing=bool(raw.get("Processing")),
        deleted=bool(raw.get("Deleted")), created=created,
        instance_type=cc["InstanceType"], instances=int(cc.get("InstanceCount") or 1),
        master_type=cc.get("DedicatedMasterType") if masters else None,
        masters=int(cc.get("DedicatedMasterCount") or 0) if masters else 0,
        warm_type=cc.get("WarmType") if warm else None,
        warm=int(cc.get("WarmCount") or 0) if warm else 0,
        ebs_type=ebs.get("VolumeType") if ebs.get("EBSEnabled") else None,
        ebs_gib_per_node=int(ebs.get("VolumeSize") or 0) if ebs.get("EBSEnabled") else 0)


class OpenSearchService(ServiceBase):
    name = "opensearch"

    @cached
    def domains(self) -> list[Domain]:
        names = [d["DomainName"] for d in self.call("ListDomainNames").get("DomainNames") or []]
        out = []
        for i in range(0, len(names), DESCRIBE_BATCH):
            got = self.call("DescribeDomains", DomainNames=names[i:i + DESCRIBE_BATCH])
            for raw in got.get("DomainStatusList") or []:
                name = raw.get("DomainName", "<unknown>")
                created = self.per_resource(name, partial(self._created, name))
                try:
                    out.append(_domain(raw, created))
                except (KeyError, TypeError, ValueError) as exc:
                    self.record_malformed("DescribeDomains", name, exc)
        return out

    def _created(self, name: str) -> datetime | None:
        config = self.call("DescribeDomainConfig", DomainName=name)["DomainConfig"]
        status = (config.get("EngineVersion") or config.get("ElasticsearchVersion")
                  or {}).get("Status") or {}
        return utc(status["CreationDate"]) if status.get("CreationDate") else None
