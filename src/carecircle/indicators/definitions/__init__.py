"""The computed indicators, each declared once (importing this package fills the registry)."""

from carecircle.indicators.definitions import (  # noqa: F401
    adaptations,
    assessments,
    childcare,
    childhealth,
    elderly,
    emergency,
    funds,
    health,
    homecare,
    pending,
    shared,
    visits,
)
