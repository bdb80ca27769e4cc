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

DEFAULT_PATH = Path(__file__).with_name("catalog.json")  # transcribed (hand-kept) prices
BUILT_PATH = Path(__file__).with_name("catalog.built.json")  # `finops prices build` output


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
        return f"${plain(self.amount)}/{self.unit} ({self.key}, {self.region})"


@dataclass(frozen=True)
class PriceCatalog:
    regions: Mapping[str, Mapping[str, Decimal]]
    source: str = "unspecified"
    as_of: str = ""
    specs: Mapping[str, Mapping[str, Mapping[str, Any]]] = field(default_factory=dict)
    currency: str = "USD"
    # per (region, key): citation of the file and date the price came from (built catalogs)
    origins: Mapping[tuple[str, str], str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path | None = None) -> PriceCatalog:
        """The given catalog file; by default the built catalog (prices from the shared
        snapshots) over the transcribed one, whose keys fill only what the build lacks."""
        if path is not None:
            return cls.from_mapping(read_object(Path(path)), where=str(path))
        transcribed = cls.from_mapping(read_object(DEFAULT_PATH), where=str(DEFAULT_PATH))
        if not BUILT_PATH.exists():
            return transcribed
        built = cls.from_mapping(read_object(BUILT_PATH), where=str(BUILT_PATH))
        return built.over(transcribed)

    def over(self, fallback: PriceCatalog) -> PriceCatalog:
        """This catalog, with keys only `fallback` has added under the fallback's citation."""
        regions = {r: dict(p) for r, p in self.regions.items()}
        origins = dict(self.origins)
        for region, prices in fallback.regions.items():
            mine = regions.setdefault(region, {})
            for key, amount in prices.items():
                if key not in mine:
                    mine[key] = amount
                    origins[(region, key)] = fallback.origins.get((region, key),
                                                                  fallback.citation)
        return PriceCatalog(regions=regions, source=self.source, as_of=self.as_of,
                            specs={**fallback.specs, **self.specs}, currency=self.currency,
                            origins=origins)

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any], where: str = "<catalog>") -> PriceCatalog:
        regions: dict[str, dict[str, Decimal]] = {}
        origins: dict[tuple[str, str], str] = {}
        sources = raw.get("sources") or {}
        for region, prices in (raw.get("regions") or {}).items():
            parsed: dict[str, Decimal] = {}
            for key, value in prices.items():
                if isinstance(value, list):  # built catalog: [amount, source id]
                    if len(value) != 2 or value[1] not in sources:
                        raise CatalogError(f"{where}: {region} {key}: bad entry {value!r}")
                    src = sources[value[1]]
                    origins[(region, key)] = f"{src['file']} as of {src['as_of']}"
                    value = value[0]
                amount = parse_price(value, f"{where}: {region} {key}")
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
            origins=origins,
        )

    def get(self, region: str, key: str) -> Price | None:
        amount = self.regions.get(region, {}).get(key)
        if amount is None:
            return None
        return Price(key, region, amount, self.origins.get((region, key), self.citation))

    @property
    def citation(self) -> str:
        """Short citation carried in every finding's details (the file header has the rest)."""
        return f"checks/prices/catalog.json (transcribed) as of {self.as_of}" if self.as_of \
            else self.source

    def spec(self, kind: str, name: str) -> Mapping[str, Any] | None:
        """Instance facts (vcpu, memory_gib, arch) for `ec2`/`rds`/... instance types."""
        return self.specs.get(kind, {}).get(name)

    def to_mapping(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "source": self.source,
            "as_of": self.as_of,
            "regions": {
                r: {k: plain(v) for k, v in sorted(p.items())} for r, p in sorted(self.regions.items())
            },
            "specs": self.specs,
        }


def parse_price(value: Any, where: str) -> Decimal:
    """A finite, non-negative price, or CatalogError saying where the bad one was."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise CatalogError(f"{where}: bad price {value!r}") from exc
    if not amount.is_finite() or amount < 0:
        raise CatalogError(f"{where}: bad price {value!r}")
    return amount


def read_object(path: Path, what: str = "price catalog") -> dict[str, Any]:
    """A JSON object from a file, or CatalogError naming the file."""
    try:
        raw = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise CatalogError(f"{path}: cannot read {what}: {exc}") from exc
    if not isinstance(raw, dict):
        raise CatalogError(f"{path}: not a JSON object")
    return raw


def plain(amount: Decimal) -> str:
    text = format(amount.normalize(), "f")
    return text if "." in text or len(text) < 2 else text
