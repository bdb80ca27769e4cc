"""ECR repositories, their lifecycle policies and image sizes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from checks.services.base import CollectionFailed, ServiceBase, cached
from checks.services.ec2 import utc


@dataclass(frozen=True)
class Image:
    digest: str
    pushed: datetime
    size_bytes: int
    tagged: bool


@dataclass(frozen=True)
class Repository:
    name: str
    arn: str
    created: datetime
    has_lifecycle: bool
    images: tuple[Image, ...]


class ECRService(ServiceBase):
    name = "ecr"

    @cached
    def repositories(self) -> list[Repository]:
        out = []
        for raw in self.paginate("DescribeRepositories", "repositories"):
            name = raw.get("repositoryName", "<unknown>")
            try:
                images = tuple(
                    Image(i["imageDigest"], utc(i["imagePushedAt"]),
                          int(i.get("imageSizeInBytes") or 0), bool(i.get("imageTags")))
                    for i in self.paginate("DescribeImages", "imageDetails", repositoryName=name)
                )
                policy = self.per_resource(name, partial(self._has_policy, name))
                if policy is None:
                    continue
                out.append(Repository(name, raw["repositoryArn"], utc(raw["createdAt"]),
                                      policy, images))
            except (KeyError, TypeError, ValueError) as exc:
                self.record_malformed("DescribeRepositories", name, exc)
        return out

    def _has_policy(self, name: str) -> bool:
        try:
            self.call("GetLifecyclePolicy", repositoryName=name)
        except CollectionFailed as exc:
            if exc.code == "LifecyclePolicyNotFoundException":
                return False
            raise
        return True
