"""The data-quality view: missing key fields per unit, implausible values, sudden jumps."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carecircle.indicators import quality
from carecircle.indicators.records import area_label
from carecircle.indicators.views.common import (
    area_choices,
    chosen_area,
    fmt,
    fmt_value,
    monitor_view,
)
from carecircle.indicators.views.monitor import link

# (registry, key, header, share of)
COLUMNS = [
    ("persons", "persons", gettext_lazy("在册人员"), None),
    ("persons", "persons_no_coords", gettext_lazy("无坐标"), "persons"),
    ("persons", "persons_no_phone", gettext_lazy("无联系电话"), "persons"),
    ("providers", "providers", gettext_lazy("运营机构"), None),
    ("providers", "providers_no_coords", gettext_lazy("无坐标"), "providers"),
    ("providers", "providers_no_capacity", gettext_lazy("无床位/托位记录"), "providers"),
    ("providers", "providers_no_credit", gettext_lazy("无统一社会信用代码"), "providers"),
    ("providers", "providers_no_phone", gettext_lazy("无联系电话"), "providers"),
    ("staff", "staff", gettext_lazy("在职人员"), None),
    ("staff", "staff_no_certificate", gettext_lazy("无证书"), "staff"),
]
GROUPS = {
    "persons": gettext_lazy("人员（老年人、婴幼儿）"),
    "providers": gettext_lazy("机构"),
    "staff": gettext_lazy("从业人员"),
}
JUMP_LIMIT = 200
RANGE_LIMIT = 200


def _cell(counts: dict, key: str, share_of: str | None) -> dict:
    value = counts.get(key, 0)
    cell = {"value": fmt(value), "css": "num"}
    if share_of:
        total = counts.get(share_of, 0)
        if value and total:
            cell["share"] = f"{100 * value / total:.1f}%"
            cell["css"] = "num warn" if value / total >= 0.1 else "num"
    return cell


def _provider_list(area) -> str:
    return reverse("institutions:provider-list") + "?" + urlencode({"area": area.code})


@monitor_view()
def quality_view(request):
    area = chosen_area(request)
    today = timezone.localdate()
    rows, included = quality.completeness(request.user, area, today)
    columns = [c for c in COLUMNS if c[0] in included]
    groups = [(GROUPS[g], sum(1 for c in columns if c[0] == g)) for g in GROUPS if g in included]
    table = []
    for row in rows:
        unit = row.area
        table.append(
            {
                "area": unit,
                "url": reverse("indicators:quality") + "?" + urlencode({"area": unit.code})
                if unit is not None and unit != area
                else "",
                "providers_url": _provider_list(unit or area),
                "cells": [_cell(row.counts, key, share) for _g, key, _h, share in columns],
            }
        )
    found = quality.jumps(area, today)
    per_unit: dict[int, dict] = {}
    for jump in found:
        unit = jump.unit or jump.area
        entry = per_unit.setdefault(unit.pk, {"area": unit, "series": 0, "siblings": 0})
        entry[jump.kind] += 1
    ranges = list(quality.out_of_range(area)[: RANGE_LIMIT + 1])
    context = {
        "title": _("数据质量"),
        "area": area,
        "areas": area_choices(request.user),
        "groups": groups,
        "headers": [str(h) for _g, _k, h, _s in columns],
        "table": table,
        "can_providers": "providers" in included,
        "jumps": [
            {
                "jump": j,
                "value": fmt_value(j.value, j.indicator),
                "previous": fmt_value(j.previous, j.indicator) if j.previous is not None else "—",
                "area": area_label(j.area),
                "reference": (
                    _("历年中位数 %(v)s") % {"v": fmt_value(j.reference, j.indicator)}
                    if j.kind == "series"
                    else _("同级变化中位数 %(v)s") % {"v": fmt(j.reference)}
                ),
                "score": f"{j.score:+.1f}",
                "kind": _("本单位历年序列") if j.kind == "series" else _("同级单位年度变化"),
                "url": link(
                    "indicators:indicator", j.indicator.code, area=j.area.code, period=j.period
                ),
            }
            for j in found[:JUMP_LIMIT]
        ],
        "jump_total": len(found),
        "jump_units": sorted(per_unit.values(), key=lambda e: e["area"].code),
        "ranges": [
            {
                "value": v,
                "text": fmt_value(v.value, v.indicator),
                "range": f"{fmt(v.indicator.min_value)} – {fmt(v.indicator.max_value)}",
                "url": link(
                    "indicators:indicator", v.indicator.code, area=v.area.code, period=v.period
                ),
            }
            for v in ranges[:RANGE_LIMIT]
        ],
        "ranges_more": len(ranges) > RANGE_LIMIT,
        "threshold": quality.THRESHOLD,
    }
    return render(request, "indicators/monitor/quality.html", context)
