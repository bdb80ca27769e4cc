"""The human summary `finops estate up` prints: resources and injected waste per kind."""

from __future__ import annotations

from collections import Counter

from estate.manifest import Manifest
from estate.plan import FLAVOURS


def format_summary(m: Manifest) -> str:
    waste = Counter(w.kind for w in m.waste)
    lines = [
        f"estate (seed {m.seed}) at {m.endpoint}",
        f"  accounts: {', '.join(m.accounts)}",
        f"  regions:  {', '.join(m.regions)}",
        f"  {'kind':<20} {'resources':>9}   injected waste",
    ]
    for kind, count in sorted(m.resources.items()):
        flavours = ", ".join(f"{f} {waste[f]}" for f in FLAVOURS.get(kind, ()) if waste[f])
        lines.append(f"  {kind:<20} {count:>9}   {flavours}")
    lines.append(f"  {'total':<20} {sum(m.resources.values()):>9}   {len(m.waste)} waste resources")
    return "\n".join(lines)
