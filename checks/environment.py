"""Reading a resource's environment from its tags (for the non-production rules)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def environment(tags: Mapping[str, str], keys: Iterable[str]) -> str | None:
    """The value of the first environment tag present (keys compared case-insensitively)."""
    lowered = {k.lower(): v for k, v in tags.items()}
    for key in keys:
        value = lowered.get(key.lower())
        if value:
            return value.strip()
    return None


def is_non_production(tags: Mapping[str, str], keys: Iterable[str],
                      values: Iterable[str]) -> str | None:
    """The environment if it is a non-production one, else None."""
    env = environment(tags, keys)
    if env is None:
        return None
    return env if env.lower() in {v.lower() for v in values} else None
