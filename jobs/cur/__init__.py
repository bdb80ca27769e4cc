"""CUR / FOCUS cost facts: normalize billing exports into one schema, enrich findings with actual cost.

CUR is enrichment: accurate when present, never required. Every function here degrades to "no cost
known" rather than failing when billing data is missing or partly unreadable.
"""
