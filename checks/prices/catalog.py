"""The price catalog: on-demand list prices per region and per SKU-ish key.

Keys read `<service>:<what>:<unit>` (`ebs:gp2:gb-month`, `ec2:m5.large:linux:hour`); the unit is
always the last segment. A price that is not in the catalog is `None`, never a guess: the check
then reports savings as unknown with low confidence.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

DEFAULT_PATH = Path(__file__).with_name("catalog.json")


class CatalogError(ValueError):
    """The catalog file is malformed (a bad price is an error, not a silently skipped key)."""


@dataclass(frozen=True)
class Price:
    key: str
    region: str
    amount: Decimal
    source: str

    @property
    def unit(self) -> str:
        return self.key.rsplit(":", 1)[-1]

    def label(self) -> str:
        return f"${_plain(self.amount)}/{self.unit} ({self.key}, {self.region})"


@dataclass(frozen=True)
class PriceCatalog:
    regions: Mapping[str, Mapping[str, Decimal]]
    source: str = "unspecified"
    as_of: str = ""
    specs: Mapping[str, Mapping[str, Mapping[str, Any]]] = field(default_factory=dict)
    currency: str = "USD"

    @classmethod
    def load(cls, path: str | Path = DEFAULT_PATH) -> PriceCatalog:
        p = Path(path)
        try:
            raw = json.loads(p.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise CatalogError(f"{p}: cannot read price catalog: {exc}") from exc
        return cls.from_mapping(raw, where=str(p))

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any], where: str = "<catalog>") -> PriceCatalog:
        regions: dict[str, dict[str, Decimal]] = {}
        for region, prices in (raw.get("regions") or {}).items():
            parsed: dict[str, Decimal] = {}
            for key, value in prices.items():
                try:
                    amount = Decimal(str(value))
                except InvalidOperation as exc:
                    raise CatalogError(f"{where}: {region} {key}: bad price {value!r}") from exc
                if not amount.is_finite() or amount < 0:
                    raise CatalogError(f"{where}: {region} {key}: bad price {value!r}")
                if key.count(":") < 2:
                    raise CatalogError(f"{where}: {region} {key}: key must be service:what:unit")
                parsed[key] = amount
            regions[region] = parsed
        return cls(
            regions=regions,
            source=str(raw.get("source", "unspecified")),
            as_of=str(raw.get("as_of", "")),
            specs=raw.get("specs") or {},
            currency=str(raw.get("currency", "USD")),
        )

    def get(self, region: str, key: str) -> Price | None:
        amount = self.regions.get(region, {}).get(key)
        if amount is None:
            return None
        return Price(key, region, amount, self.citation)

    @property
    def citation(self) -> str:
        """Short citation carried in every finding's details (the file header has the rest)."""
        return f"checks/prices/catalog.json as of {self.as_of}" if self.as_of else self.source

    def spec(self, kind: str, name: str) -> Mapping[str, Any] | None:
        """Instance facts (vcpu, memory_gib, arch) for `ec2`/`rds`/... instance types."""
        return self.specs.get(kind, {}).get(name)

    def to_mapping(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "source": self.source,
            "as_of": self.as_of,
            "regions": {
                r: {k: _plain(v) for k, v in sorted(p.items())} for r, p in sorted(self.regions.items())
            },
            "specs": self.specs,
        }


def _plain(amount: Decimal) -> str:
    text = format(amount.normalize(), "f")
    return text if "." in text or len(text) < 2 else text
