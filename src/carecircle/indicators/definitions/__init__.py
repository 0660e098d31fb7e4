"""The computed indicators, each declared once (importing this package fills the registry)."""

from carecircle.indicators.definitions import childcare, elderly, pending, shared  # noqa: F401
