"""Targets: the 2025 target and yearly milestones per indicator and area.

A unit without a target of its own uses its parent's (for ratio indicators; totals such as "2,000
training attendances" belong to the city and are not inherited). The 2025 target of the root area
is the catalogue's unless a target row says otherwise. Milestones not set are linear from the
baseline to the 2025 target.
"""

from __future__ import annotations

from decimal import Decimal

from carecircle.indicators.models import FIRST_YEAR, TARGET_YEAR, Baseline, Indicator, Target


class TargetBook:
    """All set targets and entered baselines, read once, resolved up a hierarchy."""

    def __init__(self, indicators: dict[str, Indicator], root_id: int):
        self.indicators = indicators
        self.root_id = root_id
        self.targets: dict[tuple[int, int, int], Decimal] = {
            (ind, area, year): value
            for ind, area, year, value in Target.objects.values_list(
                "indicator_id", "area_id", "year", "value"
            )
        }
        self.baselines: dict[tuple[int, int], Decimal] = {
            (ind, area): value
            for ind, area, value in Baseline.objects.values_list("indicator_id", "area_id", "value")
        }

    def target(self, indicator: Indicator, chain: tuple[int, ...], year: int = TARGET_YEAR):
        """The target for ``year`` of the first unit along ``chain`` (the unit, then upwards)."""
        for depth, area_id in enumerate(chain):
            if depth > 0 and not indicator.targets_inherit:
                break
            value = self.targets.get((indicator.pk, area_id, year))
            if value is not None:
                return value
            if area_id == self.root_id and year == TARGET_YEAR:
                return indicator.target_value
        return None

    def entered_baseline(self, indicator: Indicator, area_id: int) -> Decimal | None:
        return self.baselines.get((indicator.pk, area_id))


def milestones(
    indicator: Indicator, chain: tuple[int, ...], baseline: Decimal | None, book: TargetBook
) -> dict[int, tuple[Decimal | None, bool]]:
    """{year: (value, is_set)} for 2021–2025: set targets, else linear from the baseline."""
    final = book.target(indicator, chain, TARGET_YEAR)
    out: dict[int, tuple[Decimal | None, bool]] = {}
    for year in range(FIRST_YEAR, TARGET_YEAR + 1):
        value = final if year == TARGET_YEAR else book.target(indicator, chain, year)
        if value is not None:
            out[year] = (value, True)
            continue
        if baseline is None or final is None:
            out[year] = (None, False)
            continue
        share = Decimal(year - FIRST_YEAR) / Decimal(TARGET_YEAR - FIRST_YEAR)
        out[year] = ((baseline + (final - baseline) * share).quantize(Decimal("0.0001")), False)
    return out
