"""What every seeder gets: the cell to fill, clients acting in its account, the manifest to
record into, the metric writer and one fixed `now` (so ages are consistent across kinds)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from estate.clients import ClientFactory
from estate.manifest import Manifest, WasteItem
from estate.metrics import MetricWriter
from estate.plan import Cell

TEAMS = ("payments", "search", "data", "platform", "web", "ml")
ENVS = ("prod", "prod", "staging", "dev")
COST_CENTERS = ("cc-1001", "cc-1002", "cc-2001", "cc-3001")


@dataclass
class SeedCell:
    cell: Cell
    clients: ClientFactory
    manifest: Manifest
    metrics: MetricWriter
    now: datetime

    @property
    def account_id(self) -> str:
        return self.cell.account_id

    @property
    def region(self) -> str:
        return self.cell.region

    def client(self, service: str) -> Any:
        return self.clients.get(service, self.region, self.account_id)

    def rng(self, kind: str) -> random.Random:
        return self.cell.rng(kind)

    def split(self, kind: str) -> tuple[list[str], int]:
        """(waste flavours, healthy count) for a kind in this cell."""
        flavours = list(self.cell.waste[kind])
        return flavours, self.cell.counts[kind] - len(flavours)

    def name(self, kind: str, i: int) -> str:
        """A readable, globally unique name (S3 bucket names are global)."""
        return f"{kind.replace('_', '-')}-{self.account_id[-4:]}-{self.region}-{i:05d}"

    def tags(self, rng: random.Random, name: str | None = None) -> dict[str, str]:
        tags = {"team": rng.choice(TEAMS), "env": rng.choice(ENVS),
                "cost-center": rng.choice(COST_CENTERS)}
        if name:
            tags["Name"] = name
        return tags

    def waste(self, kind: str, resource_id: str, related: tuple[str, ...] = (),
              **details: Any) -> None:
        self.manifest.waste_item(
            WasteItem(kind, self.account_id, self.region, resource_id, details, related)
        )


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def tag_spec(resource_type: str, tags: dict[str, str]) -> list[dict[str, Any]]:
    return [{"ResourceType": resource_type, "Tags": tag_list(tags)}]
