"""A simulated AWS estate on a local moto server: deterministic, multi-account, multi-region,
with known waste (see `manifest.json`) for the scanner to find."""

from estate.estate import Estate, start_estate

__all__ = ["Estate", "start_estate"]
