"""The records behind a value (drill-down) and the records that must change (gap list)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carecircle.core.views import export_response
from carecircle.core.xlsx import Column
from carecircle.indicators import queries, records
from carecircle.indicators.engine import computation
from carecircle.indicators.periods import window
from carecircle.indicators.views.common import (
    chip,
    chosen_area,
    chosen_period,
    fmt,
    fmt_target,
    fmt_value,
    indicator_or_404,
    monitor_view,
    unit_label,
)
from carecircle.indicators.views.monitor import link

PAGE_SIZE = 50
PARTS = {"numerator": gettext_lazy("分子"), "denominator": gettext_lazy("分母")}


def _page(request, qs):
    paginator = Paginator(qs, PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def _querystring(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return query.urlencode()


def _field_label(model, name: str) -> str:
    """The verbose name of a summed field (the lookup itself when it spans a relation)."""
    if "__" in name:
        return name
    return str(model._meta.get_field(name).verbose_name)


def _common(request, code):
    indicator = indicator_or_404(code)
    area = chosen_area(request)
    period = chosen_period(request)
    value = queries.value_of(indicator, area, period)
    return indicator, area, period, value


def _value_context(indicator, area, period, value) -> dict:
    has_value = value is not None and value.value is not None
    return {
        "indicator": indicator,
        "area": area,
        "period": period,
        "value": value,
        "value_text": fmt_value(value.value, indicator) if has_value else "—",
        "chip": chip(
            value.status if value else "",
            state=queries.source_state(indicator),
            has_value=has_value,
            has_row=value is not None,
        ),
        "target_text": fmt_target(indicator, value.target if value else None),
        "indicator_url": link(
            "indicators:indicator", indicator.code, area=area.code, period=period.code
        ),
    }


def _visible(request, qs):
    """The rows the user may see, or ``None`` without the permission to view that registry."""
    if not request.user.has_perm(records.view_permission(qs.model)):
        return None
    return records.for_user(qs, request.user)


def _export(request, qs, spec, on, title, stem, extra: list[Column] = ()):
    if not request.user.has_perm("core.export_data"):
        raise PermissionDenied
    columns = [*spec.columns(on), *extra]
    return export_response(request, qs, columns, title, stem)


@monitor_view()
def drilldown(request, code):
    indicator, area, period, value = _common(request, code)
    part = request.GET.get("part", "numerator")
    if part not in PARTS:
        raise Http404
    result = queries.drilldown(indicator, area, period, part)
    context = _value_context(indicator, area, period, value)
    context.update(
        title=_("%(code)s 明细：%(part)s") % {"code": indicator.code, "part": PARTS[part]},
        part=part,
        part_label=PARTS[part],
        other_part_url=link(
            "indicators:drilldown",
            indicator.code,
            area=area.code,
            period=period.code,
            part="denominator" if part == "numerator" else "numerator",
        )
        if indicator.is_ratio
        else "",
    )
    if result is None:
        context["unavailable"] = True
        return render(request, "indicators/monitor/drilldown.html", context)
    measure, qs = result
    on = window(period).on
    stored = None
    if value is not None:
        stored = value.numerator if part == "numerator" else value.denominator
    total_rows = qs.count()
    total_sum = qs.aggregate(total=Sum(measure.total))["total"] if measure.total else None
    visible = _visible(request, qs)
    if visible is not None:
        visible, spec = records.prepared(visible, on)
    if request.GET.get("export") == "xlsx":
        if visible is None:
            raise PermissionDenied
        title = _("%(code)s %(part)s明细（%(area)s %(period)s）") % {
            "code": indicator.code,
            "part": PARTS[part],
            "area": area.name,
            "period": period.label(),
        }
        return _export(request, visible, spec, on, title, f"records-{indicator.code}-{part}")
    context.update(
        measure=measure,
        total_rows=total_rows,
        total_sum=fmt(total_sum) if measure.total else None,
        total_field=_field_label(measure.model, measure.total) if measure.total else "",
        counted=fmt(total_sum if measure.total else total_rows),
        stored=fmt(stored) if stored is not None else "—",
        matches=stored is not None and (total_sum if measure.total else total_rows) == stored,
        model_label=measure.model._meta.verbose_name,
        allowed=visible is not None,
        querystring=_querystring(request),
        can_export=request.user.has_perm("core.export_data") and visible is not None,
    )
    if visible is not None:
        page = _page(request, visible)
        headers, rows = records.table(page.object_list, spec, on)
        context.update(page_obj=page, headers=headers, rows=rows, visible_rows=page.paginator.count)
    return render(request, "indicators/monitor/drilldown.html", context)


def gap_headline(indicator, value, rule, comp) -> dict | None:
    """ "还差 N 个": how many more must count for the target, when that can be said."""
    need = queries.shortfall(indicator, value)
    if need is None:
        return None
    if comp is not None and comp.numerator.total:
        what = str(comp.numerator.label)
    elif indicator.is_ratio or not unit_label(indicator).strip():
        what = _("个")
    else:
        what = unit_label(indicator)
    return {"need": need, "text": fmt(need), "what": what}


@monitor_view()
def gap(request, code):
    indicator, area, period, value = _common(request, code)
    result = queries.gap(indicator, area, period)
    context = _value_context(indicator, area, period, value)
    context["title"] = _("%(code)s 差距清单") % {"code": indicator.code}
    if result is None:
        context["unavailable"] = True
        return render(request, "indicators/monitor/gap.html", context)
    rule, qs = result
    on = window(period).on
    visible = _visible(request, qs)
    if visible is not None:
        visible, spec = records.prepared(visible, on)
    if request.GET.get("export") == "xlsx":
        if visible is None:
            raise PermissionDenied
        title = _("%(code)s 差距清单（%(area)s %(period)s）") % {
            "code": indicator.code,
            "area": area.name,
            "period": period.label(),
        }
        worklist = [Column(_("处理情况"), lambda o: "", 24), Column(_("负责人"), lambda o: "", 12)]
        return _export(request, visible, spec, on, title, f"gap-{indicator.code}", worklist)
    context.update(
        rule=rule,
        headline=gap_headline(indicator, value, rule, computation(indicator.code)),
        total_rows=qs.count(),
        model_label=rule.model._meta.verbose_name,
        allowed=visible is not None,
        querystring=_querystring(request),
        can_export=request.user.has_perm("core.export_data") and visible is not None,
    )
    if visible is not None:
        page = _page(request, visible)
        headers, rows = records.table(page.object_list, spec, on)
        context.update(page_obj=page, headers=headers, rows=rows, visible_rows=page.paginator.count)
    return render(request, "indicators/monitor/gap.html", context)
