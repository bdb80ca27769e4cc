"""Prices the checks use: a catalog shipped as data (`catalog.json`) and the Price List parser
that rebuilds it (`finops prices refresh`)."""
