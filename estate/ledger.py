"""The estate's billing ledger: what each meter billed, from when to when, in what quantity.

The bill is a function of this ledger, so it must be kept, not recomputed: a deleted volume is
gone from the API, yet its past hours stay on the bill. Each `finops estate bill` run takes an
inventory (`meter.inventory`) and folds it in:

- a meter not seen before starts at the resource's creation time (never before the bill starts);
- a meter no longer listed stops at the time of the remediation that named its resource (or a
  resource it came with), else at the first remediation since the last inventory, else now;
- a changed quantity starts a new segment at that same time;
- a remediation that shrinks rather than removes (a log group given a retention keeps only the
  retention's share of an even flow of data) starts a segment with the kept share.

Written as JSON with sorted keys; the same inventories and remediations give the same ledger.
"""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from estate.meter import Meter, Reservation

LEDGER_VERSION = 1


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def read_remediations(path: Path) -> list[dict[str, Any]]:
    """The runs `finops estate remediate` recorded ([] when none)."""
    if not path.exists():
        return []
    return list(json.loads(path.read_text()).get("runs", []))


def append_remediation(path: Path, run: dict[str, Any]) -> None:
    runs = read_remediations(path) + [run]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"runs": runs}, indent=1, sort_keys=True) + "\n")
    tmp.replace(path)


def _fix_times(runs: list[dict[str, Any]]) -> dict[str, str]:
    """resource id (and each related id) -> when the first fix naming it ran."""
    out: dict[str, str] = {}
    for run in sorted(runs, key=lambda r: r["at"]):
        for item in run.get("fixed", []):
            for rid in [item["resource_id"], *item.get("related", [])]:
                out.setdefault(rid, run["at"])
    return out


def _names(meter_rid: str, rid: str) -> bool:
    """A CUR resource id (bare id or ARN) names a manifest resource id (id, name or ARN)."""
    return meter_rid == rid or meter_rid.endswith(("/" + rid, ":" + rid))


def _change_time(rid: str, fixes: dict[str, str], runs: list[dict[str, Any]],
                 last: str | None, now: str) -> str:
    for named, at in fixes.items():
        if _names(rid, named):
            return at
    later = sorted(r["at"] for r in runs if last is None or r["at"] > last)
    return later[0] if later else now


class Ledger:
    def __init__(self, doc: dict[str, Any] | None = None) -> None:
        doc = doc or {}
        self.bill_start: str | None = doc.get("bill_start")
        self.inventoried_at: str | None = doc.get("inventoried_at")
        self.entries: dict[str, dict[str, Any]] = dict(doc.get("entries", {}))
        self.reservations: list[dict[str, Any]] = list(doc.get("reservations", []))
        self.applied: list[str] = list(doc.get("applied", []))  # shrink effects folded in

    @classmethod
    def read(cls, path: Path) -> Ledger:
        return cls(json.loads(path.read_text())) if path.exists() else cls()

    def write(self, path: Path) -> None:
        doc = {"version": LEDGER_VERSION, "bill_start": self.bill_start,
               "inventoried_at": self.inventoried_at, "entries": self.entries,
               "reservations": self.reservations, "applied": sorted(self.applied),
               "generated_for": "demo: the simulated estate's own bill, not an AWS bill"}
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
        tmp.replace(path)

    def fold(self, meters: list[Meter], reservations: list[Reservation], now: datetime,
             runs: list[dict[str, Any]], bill_start: datetime) -> None:
        """Fold one inventory taken at `now` (see the module docstring)."""
        now_s = now.astimezone(UTC).isoformat()
        if self.bill_start is None:
            self.bill_start = bill_start.astimezone(UTC).isoformat()
        start = _ts(self.bill_start)
        fixes = _fix_times(runs)
        seen = set()
        for m in meters:
            seen.add(m.key)
            entry = self.entries.get(m.key)
            if entry is None:
                since = max(_ts(m.since), start).isoformat()
                self.entries[m.key] = {**m.to_dict(), "segments": [[since, m.quantity]],
                                       "until": None}
            elif entry["until"] is None and entry["quantity"] != m.quantity:
                at = _change_time(m.resource_id, fixes, runs, self.inventoried_at, now_s)
                entry["segments"].append([at, m.quantity])
                entry["quantity"] = m.quantity
        for key, entry in self.entries.items():
            if key not in seen and entry["until"] is None:
                entry["until"] = _change_time(entry["resource_id"], fixes, runs,
                                              self.inventoried_at, now_s)
        self._shrink(runs)
        self.reservations = [r.to_dict() for r in reservations]
        self.inventoried_at = now_s

    def _shrink(self, runs: list[dict[str, Any]]) -> None:
        for run in runs:
            for item in run.get("fixed", []):
                share = item.get("kept_share")
                tag = f"{run['at']}|{item['resource_id']}"
                if share is None or tag in self.applied:
                    continue
                for entry in self.entries.values():
                    if entry["until"] is None and _names(entry["resource_id"],
                                                         item["resource_id"]) \
                            and entry["account_id"] == item["account_id"]:
                        entry["segments"].append([run["at"], entry["quantity"] * share])
                self.applied.append(tag)

    def meters(self) -> list[Meter]:
        names = {f.name for f in fields(Meter)}
        return [Meter(**{k: v for k, v in e.items() if k in names})
                for _, e in sorted(self.entries.items())]
