"""The estate's ground truth: what was created and which resources were made wasteful on purpose.

Tests and demos compare scan results against `waste`; nothing in it depends on wall-clock time
or the port, so the same seed writes the same manifest (ages are in days, not timestamps).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class WasteItem:
    """One injected waste resource. `related` are resources wasted along with it
    (a stopped instance's volumes and Elastic IP) which checks may rightly flag too."""

    kind: str
    account_id: str
    region: str
    resource_id: str
    details: dict[str, Any] = field(default_factory=dict)
    related: tuple[str, ...] = ()


@dataclass(slots=True)
class Manifest:
    seed: int
    accounts: list[str]
    regions: list[str]
    endpoint: str = ""
    resources: Counter[str] = field(default_factory=Counter)  # kind -> count created
    waste: list[WasteItem] = field(default_factory=list)

    def add(self, kind: str, n: int = 1) -> None:
        self.resources[kind] += n

    def waste_item(self, item: WasteItem) -> None:
        self.waste.append(item)

    def waste_by_kind(self) -> dict[str, list[WasteItem]]:
        out: dict[str, list[WasteItem]] = {}
        for item in self.waste:
            out.setdefault(item.kind, []).append(item)
        return out

    def waste_ids(self) -> set[str]:
        """Every resource id that is waste, including related ones."""
        ids = {w.resource_id for w in self.waste}
        for w in self.waste:
            ids.update(w.related)
        return ids

    def to_dict(self) -> dict[str, Any]:
        waste = sorted(self.waste, key=lambda w: (w.kind, w.account_id, w.region, w.resource_id))
        return {
            "seed": self.seed,
            "accounts": list(self.accounts),
            "regions": list(self.regions),
            "endpoint": self.endpoint,
            "resources": dict(sorted(self.resources.items())),
            "waste_counts": dict(sorted(Counter(w.kind for w in waste).items())),
            "waste": [
                {**asdict(w), "related": sorted(w.related)} for w in waste
            ],
        }

    def write(self, path: Path) -> None:
        """Write atomically: a reader never sees half a manifest."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n")
        tmp.replace(path)

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Manifest:
        m = cls(doc["seed"], list(doc["accounts"]), list(doc["regions"]), doc.get("endpoint", ""))
        m.resources.update(doc.get("resources", {}))
        for w in doc.get("waste", []):
            m.waste.append(
                WasteItem(w["kind"], w["account_id"], w["region"], w["resource_id"],
                          dict(w.get("details", {})), tuple(w.get("related", ())))
            )
        return m

    @classmethod
    def read(cls, path: Path) -> Manifest:
        return cls.from_dict(json.loads(path.read_text()))
