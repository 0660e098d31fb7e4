"""The scorecard and the indicator page (trend, comparison, map, table by area)."""

from __future__ import annotations

from collections import OrderedDict

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from carecircle.core.views import export_response, htmx_render
from carecircle.core.xlsx import Column
from carecircle.indicators import charts, queries
from carecircle.indicators.choices import Attribute, IndicatorDomain, Source, Status
from carecircle.indicators.models import FIRST_YEAR, Indicator, ValueNote
from carecircle.indicators.periods import Period
from carecircle.indicators.services import ensure_period
from carecircle.indicators.views.common import (
    NO_DATA,
    STATUS_CSS,
    RowList,
    area_choices,
    attribute_tag,
    category_label,
    chip,
    chosen_area,
    chosen_period,
    fmt,
    fmt_change,
    fmt_target,
    fmt_value,
    indicator_or_404,
    monitor_view,
    period_choices,
    status_colour,
    status_filter_choices,
    unit_label,
)


def link(name: str, code: str, **params) -> str:
    query = {k: v for k, v in params.items() if v}
    url = reverse(name, args=[code])
    return f"{url}?{urlencode(query)}" if query else url


def _matches(row, domain: str, status: str, binding: str) -> bool:
    indicator = row.indicator
    if domain and indicator.domain != domain:
        return False
    if binding and indicator.attribute != binding:
        return False
    if not status:
        return True
    has_value = row.value is not None and row.value.value is not None
    no_data = row.state == "no_source" or row.value is None
    if status == NO_DATA:
        return no_data
    if status == "na":
        return not no_data and (not has_value or row.status not in STATUS_CSS)
    return has_value and row.status == status


def score_rows(rows, area, period: Period) -> list[dict]:
    out = []
    for row in rows:
        indicator = row.indicator
        value = row.value
        has_value = value is not None and value.value is not None
        out.append(
            {
                "indicator": indicator,
                "url": link(
                    "indicators:indicator", indicator.code, area=area.code, period=period.code
                ),
                "value": fmt_value(value.value, indicator) if has_value else "",
                "target": fmt_target(indicator, value.target if value else None),
                "chip": chip(
                    row.status,
                    state=row.state,
                    has_value=has_value,
                    has_row=value is not None,
                    reason=row.reason,
                ),
                "reason": row.reason,
                "change": fmt_change(row.change, indicator),
                "rank": f"{row.rank}/{row.siblings}" if row.rank and row.siblings else "",
                "attribute": attribute_tag(indicator),
                "notes": row.notes,
            }
        )
    return out


def grouped(rows: list[dict]) -> list[dict]:
    groups: OrderedDict[tuple[str, str], list[dict]] = OrderedDict()
    order = {value: i for i, value in enumerate(IndicatorDomain.values)}
    for row in sorted(
        rows, key=lambda r: (order.get(r["indicator"].domain, 9), r["indicator"].code)
    ):
        indicator = row["indicator"]
        groups.setdefault((indicator.domain, indicator.category), []).append(row)
    return [
        {
            "domain": IndicatorDomain(domain).label if domain in IndicatorDomain.values else domain,
            "category": category_label(category),
            "rows": items,
        }
        for (domain, category), items in groups.items()
    ]


def status_counts(rows) -> list[dict]:
    counts: dict[str, int] = {}
    for row in rows:
        has_value = row.value is not None and row.value.value is not None
        key = row.status if has_value and row.status in STATUS_CSS else "other"
        counts[key] = counts.get(key, 0) + 1
    out = [
        {"css": STATUS_CSS[s], "label": Status(s).label, "count": counts.get(s, 0), "status": s}
        for s in STATUS_CSS
    ]
    out.append({"css": "st-na", "label": _("其他"), "count": counts.get("other", 0), "status": ""})
    return out


@monitor_view()
def scorecard(request):
    area = chosen_area(request)
    period = chosen_period(request)
    domain = request.GET.get("domain", "")
    status = request.GET.get("status", "")
    binding = request.GET.get("binding", "")
    ensure_period(period)
    all_rows = queries.scorecard(area, period)
    rows = [r for r in all_rows if _matches(r, domain, status, binding)]
    context = {
        "title": _("指标监测"),
        "area": area,
        "period": period,
        "areas": area_choices(request.user),
        "periods": period_choices(),
        "domains": IndicatorDomain.choices,
        "statuses": status_filter_choices(),
        "attributes": Attribute.choices,
        "chosen": {"domain": domain, "status": status, "binding": binding},
        "groups": grouped(score_rows(rows, area, period)),
        "shown": len(rows),
        "total": len(all_rows),
        "summary": status_counts(all_rows),
        "previous": period.previous(),
        "quality_url": reverse("indicators:quality") + "?" + urlencode({"area": area.code}),
    }
    return htmx_render(
        request,
        "indicators/monitor/scorecard.html",
        "indicators/monitor/_scorecard_table.html",
        context,
    )


# Indicator page --------------------------------------------------------------------------------


def area_row(indicator: Indicator, area, value, period: Period, state: str) -> dict:
    has_value = value is not None and value.value is not None
    drill = state == "computed"
    params = {"area": area.code, "period": period.code}
    reason = ""
    if value is None:
        reason = queries.applicability(indicator, period) if state != "no_source" else ""
    elif value.value is None:
        reason = value.reason
    return {
        "area": area,
        "value": value,
        "value_text": fmt_value(value.value, indicator) if has_value else "—",
        "numerator": fmt(value.numerator) if value and value.numerator is not None else "—",
        "denominator": fmt(value.denominator) if value and value.denominator is not None else "—",
        "target": fmt_target(indicator, value.target)
        if value and value.target is not None
        else "—",
        "chip": chip(
            value.status if value else "",
            state=state,
            has_value=has_value,
            has_row=value is not None,
            reason=reason,
        ),
        "reason": reason,
        "url": link("indicators:indicator", indicator.code, **params),
        "numerator_url": link("indicators:drilldown", indicator.code, part="numerator", **params)
        if drill
        else "",
        "denominator_url": link(
            "indicators:drilldown", indicator.code, part="denominator", **params
        )
        if drill and indicator.is_ratio
        else "",
    }


def export_columns(indicator: Indicator) -> list[Column]:
    return [
        Column(_("区划代码"), lambda r: r["area"].code, 14),
        Column(_("区划"), lambda r: r["area"].name, 20),
        Column(_("值"), lambda r: r["value"].value if r["value"] else None, 12),
        Column(_("分子"), lambda r: r["value"].numerator if r["value"] else None, 12),
        Column(_("分母"), lambda r: r["value"].denominator if r["value"] else None, 12),
        Column(_("目标"), lambda r: r["value"].target if r["value"] else None, 12),
        Column(_("状态"), lambda r: r["chip"]["label"], 12),
        Column(_("无法计算原因"), lambda r: r["reason"], 30),
    ]


def _trend_chart(indicator: Indicator, area, unit: str) -> dict:
    trend = queries.trend(indicator, area)
    this_year = timezone.localdate().year
    years = [str(y) for y in range(FIRST_YEAR, this_year + 1)]
    values = {p: v.value for p, v in trend["values"]}
    target = trend["milestones"].get(2025, (None, False))[0]
    return {
        "figure": charts.trend_figure(years, values, trend["milestones"], target, unit),
        "milestones": [
            {"year": y, "value": fmt(v) if v is not None else "—", "is_set": s}
            for y, (v, s) in sorted(trend["milestones"].items())
        ],
        "baseline": trend["baseline"],
    }


def _points(indicator: Indicator, rows: list[dict]) -> list[dict]:
    points = []
    for row in rows:
        area = row["area"]
        if area.latitude is None or area.longitude is None:
            continue
        value = row["value"]
        points.append(
            {
                "name": area.name,
                "lat": float(area.latitude),
                "lon": float(area.longitude),
                "value": value.value if value is not None else None,
                "text": row["value_text"],
                "boundary": area.boundary,
            }
        )
    return points


@monitor_view()
def indicator_page(request, code):
    indicator = indicator_or_404(code)
    area = chosen_area(request)
    period = chosen_period(request)
    state = queries.source_state(indicator)
    ensure_period(period)
    value = queries.value_of(indicator, area, period)
    children = queries.values_by_area(indicator, period, area)
    rows = [area_row(indicator, area, value, period, state)] + [
        area_row(indicator, c["area"], c["value"], period, state) for c in children
    ]
    if request.GET.get("export") == "xlsx":
        if not request.user.has_perm("core.export_data"):
            raise PermissionDenied
        title = _("%(code)s %(name)s（%(period)s）") % {
            "code": indicator.code,
            "name": indicator.name,
            "period": period.label(),
        }
        return export_response(
            request, RowList(rows), export_columns(indicator), title, f"indicator-{indicator.code}"
        )
    unit = unit_label(indicator)
    child_rows = rows[1:]
    valued = [r for r in child_rows if r["value"] is not None and r["value"].value is not None]
    comparison = None
    if valued:
        comparison = charts.comparison_figure(
            [
                {
                    "name": r["area"].name,
                    "value": r["value"].value,
                    "text": r["value_text"],
                    "status": r["chip"]["label"],
                    "colour": status_colour(r["value"].status),
                }
                for r in valued
            ],
            value.target if value is not None else indicator.target_value,
            unit,
            indicator.target_op in (">", ">="),
        )
    comparison_missing = len(child_rows) - len(valued)
    points = _points(indicator, child_rows)
    geo = (
        charts.map_figure(points, unit, indicator.target_op in (">", ">="))
        if len(points) > 1
        else None
    )
    context = {
        "title": f"{indicator.code} {indicator.name}",
        "indicator": indicator,
        "area": area,
        "period": period,
        "areas": area_choices(request.user),
        "periods": period_choices(),
        "state": state,
        "no_source_reason": queries.no_source_reason(indicator) if state == "no_source" else "",
        "head": rows[0],
        "unit": unit,
        "target_text": fmt_target(indicator),
        "attribute": attribute_tag(indicator),
        "trend": _trend_chart(indicator, area, unit),
        "comparison": comparison,
        "comparison_missing": comparison_missing,
        "map": geo,
        "map_missing": len(child_rows) - len(points),
        "rows": rows,
        "notes": ValueNote.objects.for_user(request.user)
        .filter(indicator=indicator, area=area, period=period.code)
        .select_related("author")[:20],
        "can_export": request.user.has_perm("core.export_data"),
        "export_url": link(
            "indicators:indicator",
            indicator.code,
            area=area.code,
            period=period.code,
            export="xlsx",
        ),
        "gap_url": link("indicators:gap", indicator.code, area=area.code, period=period.code)
        if state == "computed"
        else "",
        "definition_url": reverse("indicators:definition", args=[indicator.code]),
        "scorecard_url": reverse("indicators:scorecard")
        + "?"
        + urlencode({"area": area.code, "period": period.code}),
        "is_reported": indicator.source == Source.REPORTED,
    }
    return render(request, "indicators/monitor/indicator.html", context)
