"""Correlation: SQL rules over active findings that emit meta-findings (see engine.py)."""
