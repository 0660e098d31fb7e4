"""Reading values: the scorecard, values by area, trends, drill-down and gap lists.

Every screen, endpoint, report and command reads through these functions, so they all show the
same figures. Callers check that ``area`` lies in the user's scope first (``area_for_user``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.http import Http404

from carecircle.areas.models import Area
from carecircle.indicators.choices import Source, Status
from carecircle.indicators.engine import NO_SOURCE, GapRule, Measure, computation, computations
from carecircle.indicators.hierarchy import hierarchy_on
from carecircle.indicators.models import Indicator, IndicatorValue, ValueNote
from carecircle.indicators.periods import Period, Window, parse, window
from carecircle.indicators.targets import TargetBook, milestones


def area_for_user(user, code: str) -> Area:
    """The area ``code`` if it lies in the user's scope (their area subtree), else 404."""
    scope = getattr(user, "scope_area", None)
    if scope is None:
        raise Http404
    area = Area.objects.filter(code=code, path__startswith=scope.path).first()
    if area is None:
        raise Http404
    return area


def source_state(indicator: Indicator) -> str:
    """ "computed", "reported" or "no_source" (a computed indicator without records yet)."""
    if indicator.source == Source.REPORTED:
        return "reported"
    if computation(indicator.code) is not None:
        return "computed"
    return "no_source"


def no_source_reason(indicator: Indicator) -> str:
    computations()
    return NO_SOURCE.get(indicator.code, "")


@dataclass
class ScoreRow:
    indicator: Indicator
    value: IndicatorValue | None
    previous: IndicatorValue | None
    state: str  # computed, reported, no_source
    reason: str  # why there is no value
    rank: int | None = None
    siblings: int | None = None
    notes: int = 0

    @property
    def change(self) -> Decimal | None:
        if self.value is None or self.previous is None:
            return None
        if self.value.value is None or self.previous.value is None:
            return None
        return self.value.value - self.previous.value

    @property
    def status(self) -> str:
        if self.value is None:
            return Status.NOT_AVAILABLE
        return self.value.status


def siblings_of(area: Area, period: Period) -> list[int]:
    """Units with the same parent as ``area`` on the period's snapshot day."""
    w = window(period)
    h = hierarchy_on(w.on)
    parent = h.parent.get(area.pk)
    if parent is None:
        return [area.pk]
    return [a for a, p in h.parent.items() if p == parent and a in h.valid]


def _rank(indicator: Indicator, values: dict[int, Decimal], area_id: int) -> int | None:
    if area_id not in values:
        return None
    reverse = indicator.target_op in (">", ">=")
    ordered = sorted(values.values(), reverse=reverse)
    return ordered.index(values[area_id]) + 1


def scorecard(area: Area, period: Period | str, codes: list[str] | None = None) -> list[ScoreRow]:
    """Every indicator for ``area`` and ``period``: value, previous value, rank among siblings."""
    period = parse(period) if isinstance(period, str) else period
    indicators = list(Indicator.objects.order_by("code"))
    if codes:
        indicators = [i for i in indicators if i.code in codes]
    current = {
        v.indicator_id: v
        for v in IndicatorValue.objects.filter(area=area, period=period.code).select_related(
            "indicator"
        )
    }
    previous = {
        v.indicator_id: v
        for v in IndicatorValue.objects.filter(area=area, period=period.previous().code)
    }
    sibling_ids = siblings_of(area, period)
    sibling_values: dict[int, dict[int, Decimal]] = {}
    for ind_id, area_id, value in IndicatorValue.objects.filter(
        area_id__in=sibling_ids, period=period.code, value__isnull=False
    ).values_list("indicator_id", "area_id", "value"):
        sibling_values.setdefault(ind_id, {})[area_id] = value
    note_counts: dict[int, int] = {}
    for ind_id in ValueNote.objects.filter(area=area, period=period.code).values_list(
        "indicator_id", flat=True
    ):
        note_counts[ind_id] = note_counts.get(ind_id, 0) + 1
    rows = []
    for indicator in indicators:
        state = source_state(indicator)
        value = current.get(indicator.pk)
        reason = ""
        if state == "no_source":
            reason = no_source_reason(indicator)
        elif value is None:
            reason = applicability(indicator, period)
        elif value.value is None:
            reason = value.reason
        ranks = sibling_values.get(indicator.pk, {})
        rows.append(
            ScoreRow(
                indicator=indicator,
                value=value,
                previous=previous.get(indicator.pk),
                state=state,
                reason=reason,
                rank=_rank(indicator, ranks, area.pk) if len(ranks) > 1 else None,
                siblings=len(ranks) if len(ranks) > 1 else None,
                notes=note_counts.get(indicator.pk, 0),
            )
        )
    return rows


def applicability(indicator: Indicator, period: Period) -> str:
    """Why an indicator has no value for a period (before anything is computed or reported)."""
    from django.utils.translation import gettext as _

    if indicator.period_scope == "annual" and period.kind != "year":
        return _("年度指标，仅按年统计")
    if indicator.source == Source.REPORTED:
        return _("尚未填报或未审核")
    return _("尚未计算")


def values_by_area(indicator: Indicator, period: Period | str, parent: Area) -> list[dict]:
    """The value of each unit directly below ``parent`` (in the hierarchy valid in the period)."""
    period = parse(period) if isinstance(period, str) else period
    h = hierarchy_on(window(period).on)
    child_ids = [a for a, p in h.parent.items() if p == parent.pk and a in h.valid]
    areas = Area.objects.in_bulk(child_ids)
    values = {
        v.area_id: v
        for v in IndicatorValue.objects.filter(
            indicator=indicator, period=period.code, area_id__in=child_ids
        )
    }
    rows = [{"area": areas[a], "value": values.get(a)} for a in child_ids if a in areas]
    return sorted(rows, key=lambda r: r["area"].code)


def trend(indicator: Indicator, area: Area) -> dict:
    """Yearly values 2021–now with the milestones they are measured against."""
    values = {
        v.period: v
        for v in IndicatorValue.objects.filter(indicator=indicator, area=area).filter(
            period__regex=r"^\d{4}$"
        )
    }
    h = hierarchy_on(window(parse(max(values) if values else "2025")).on)
    book = TargetBook({indicator.code: indicator}, h.root_id)
    baseline_row = values.get("2021")
    baseline = book.entered_baseline(indicator, area.pk)
    if baseline is None and baseline_row is not None:
        baseline = baseline_row.value
    chain = h.ancestors(area.pk) or (area.pk,)
    return {
        "values": [(p, values[p]) for p in sorted(values)],
        "milestones": milestones(indicator, chain, baseline, book),
        "baseline": baseline,
    }


# Drill-down and gap lists ----------------------------------------------------------------------


def units_in(area: Area, w: Window) -> set[int]:
    """The units whose records count in ``area`` on the window's snapshot day."""
    return hierarchy_on(w.on).subtree(area.pk)


def drilldown(
    indicator: Indicator, area: Area, period: Period | str, part: str
) -> tuple[Measure, QuerySet] | None:
    """The records counted in the numerator (``part="numerator"``) or denominator."""
    comp = computation(indicator.code)
    if comp is None:
        return None
    measure = comp.numerator if part == "numerator" else comp.denominator
    if measure is None:
        return None
    w = window(period)
    return measure, measure.rows(w, units_in(area, w))


def gap(indicator: Indicator, area: Area, period: Period | str) -> tuple[GapRule, QuerySet] | None:
    """The records that must change for the target to be met, or ``None`` if none is declared."""
    comp = computation(indicator.code)
    rule = comp.gap_rule() if comp else None
    if rule is None:
        return None
    w = window(period)
    h = hierarchy_on(w.on)
    target = TargetBook({indicator.code: indicator}, h.root_id).target(
        indicator, h.ancestors(area.pk) or (area.pk,)
    )
    return rule, rule.rows(w, target, h.subtree(area.pk))


# Monitoring read helpers ------------------------------------------------------------------------


def value_of(indicator: Indicator, area: Area, period: Period | str) -> IndicatorValue | None:
    code = period if isinstance(period, str) else period.code
    return IndicatorValue.objects.filter(indicator=indicator, area=area, period=code).first()


def alerts(area: Area, period: Period | str) -> list[IndicatorValue]:
    """Binding indicators of ``area`` not on track in ``period`` (for the home page)."""
    from carecircle.indicators.choices import ALERT_STATUSES, Attribute

    code = period if isinstance(period, str) else period.code
    return list(
        IndicatorValue.objects.filter(
            area=area,
            period=code,
            indicator__attribute=Attribute.BINDING,
            status__in=ALERT_STATUSES,
        )
        .select_related("indicator")
        .order_by("indicator__code")
    )


def shortfall(indicator: Indicator, value: IndicatorValue | None) -> int | None:
    """How many more units the numerator needs (or must lose, for "at most" targets) for the value
    to meet its target; 0 when it does, ``None`` when it cannot be said."""
    import math

    if value is None or value.target is None or value.numerator is None:
        return None
    if value.value is not None and indicator.meets(value.value, value.target):
        return 0
    bound = value.target
    if indicator.is_ratio:
        if not value.denominator:
            return None
        bound = value.target * value.denominator / indicator.factor
    numerator = value.numerator
    need = {
        ">=": math.ceil(bound) - numerator,
        ">": math.floor(bound) + 1 - numerator,
        "<=": numerator - math.floor(bound),
        "<": numerator - (math.ceil(bound) - 1),
    }[indicator.target_op]
    return max(int(need), 0)


def yearly_series(indicator_ids, area_ids) -> dict[tuple[int, int], dict[str, Decimal]]:
    """{(indicator, area): {year: value}} of the yearly values (for data-quality checks)."""
    out: dict[tuple[int, int], dict[str, Decimal]] = {}
    rows = IndicatorValue.objects.filter(
        indicator_id__in=list(indicator_ids), area_id__in=list(area_ids), value__isnull=False
    ).filter(period__regex=r"^\d{4}$")
    for ind, area, period, value in rows.values_list("indicator_id", "area_id", "period", "value"):
        out.setdefault((ind, area), {})[period] = value
    return out
