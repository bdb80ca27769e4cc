"""Tenant thresholds: one file (YAML or JSON) that overrides the defaults checks declare.

```yaml
checks:
  ec2_instance_stopped_long:
    max_stopped_days: 45
  s3_bucket_no_lifecycle:
    enabled: false
```

Validated at start-up against the registry (`TenantConfig.validate(checks)`): an unknown check
id, an unknown threshold or a value of the wrong type is an error before any AWS call is made,
because a typo in a threshold silently falling back to the default is worse than no config.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from checks.model import Check, CheckMeta

RESERVED_KEYS = frozenset({"enabled"})


class ConfigError(ValueError):
    """The tenant config file is unreadable or disagrees with the checks' declared thresholds."""


@dataclass(frozen=True)
class CheckConfig:
    """One check's view of the tenant config: `get(name)` is the tenant's value or the default."""

    meta: CheckMeta
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        if name in self.overrides:
            return self.overrides[name]
        if name in self.meta.thresholds:
            return self.meta.thresholds[name]
        raise KeyError(f"check {self.meta.id} declares no threshold {name!r}")

    def values(self) -> dict[str, Any]:
        merged = dict(self.meta.thresholds)
        merged.update({k: v for k, v in self.overrides.items() if k not in RESERVED_KEYS})
        return merged

    @property
    def enabled(self) -> bool:
        return bool(self.overrides.get("enabled", True))


@dataclass(frozen=True)
class TenantConfig:
    checks: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    source: str = "<defaults>"

    @classmethod
    def load(cls, path: str | Path) -> TenantConfig:
        p = Path(path)
        try:
            text = p.read_text()
        except OSError as exc:
            raise ConfigError(f"{p}: cannot read tenant config: {exc}") from exc
        try:
            if p.suffix.lower() in (".yaml", ".yml"):
                try:
                    import yaml  # PyYAML arrives with moto[server]; JSON needs nothing
                except ImportError as exc:
                    raise ConfigError(f"{p}: YAML config needs PyYAML; use JSON") from exc
                raw = yaml.safe_load(text) or {}
            else:
                raw = json.loads(text or "{}")
        except ConfigError:
            raise
        except Exception as exc:  # yaml and json raise different types; both mean "bad file"
            raise ConfigError(f"{p}: cannot parse tenant config: {exc}") from exc
        return cls.from_mapping(raw, source=str(p))

    @classmethod
    def from_mapping(cls, raw: Any, source: str = "<mapping>") -> TenantConfig:
        if not isinstance(raw, Mapping):
            raise ConfigError(f"{source}: top level must be a mapping")
        unknown = sorted(set(raw) - {"checks"})
        if unknown:
            raise ConfigError(f"{source}: unknown top-level keys {unknown} (expected 'checks')")
        checks = raw.get("checks") or {}
        if not isinstance(checks, Mapping) or not all(isinstance(v, Mapping) for v in checks.values()):
            raise ConfigError(f"{source}: 'checks' must map check ids to threshold mappings")
        return cls({str(k): dict(v) for k, v in checks.items()}, source)

    def validate(self, checks: Mapping[str, type[Check]] | Mapping[str, Check]) -> None:
        """Raise ConfigError listing every disagreement with the registry."""
        problems: list[str] = []
        for check_id, overrides in sorted(self.checks.items()):
            if check_id not in checks:
                problems.append(f"unknown check id {check_id!r}")
                continue
            meta = checks[check_id].meta
            for name, value in sorted(overrides.items()):
                if name == "enabled":
                    if not isinstance(value, bool):
                        problems.append(f"{check_id}.enabled must be true/false")
                    continue
                if name not in meta.thresholds:
                    problems.append(
                        f"{check_id}: unknown threshold {name!r} "
                        f"(declared: {sorted(meta.thresholds)})"
                    )
                    continue
                if not _same_type(meta.thresholds[name], value):
                    problems.append(
                        f"{check_id}.{name}: expected {type(meta.thresholds[name]).__name__}, "
                        f"got {type(value).__name__} {value!r}"
                    )
        if problems:
            raise ConfigError(f"{self.source}: " + "; ".join(problems))

    def for_check(self, meta: CheckMeta) -> CheckConfig:
        return CheckConfig(meta, self.checks.get(meta.id, {}))


def _same_type(default: Any, value: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, int | float)
    if isinstance(default, int):
        return isinstance(value, int)
    if isinstance(default, list):
        return isinstance(value, list) and all(
            isinstance(v, type(default[0])) for v in value
        ) if default else isinstance(value, list)
    return isinstance(value, type(default))
