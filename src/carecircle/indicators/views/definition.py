"""The definition page: what an indicator means, its history, and its yearly targets."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from carecircle.accounts.choices import DepartmentKind
from carecircle.core.history import change_history
from carecircle.indicators import queries
from carecircle.indicators.editing import clear_target, set_target, update_definition
from carecircle.indicators.engine import computation
from carecircle.indicators.hierarchy import hierarchy_on
from carecircle.indicators.models import FIRST_YEAR, TARGET_YEAR, Indicator, IndicatorValue, Target
from carecircle.indicators.monitor_forms import IndicatorDefinitionForm, TargetForm
from carecircle.indicators.periods import BASELINE_PERIOD
from carecircle.indicators.targets import TargetBook, milestones
from carecircle.indicators.views import common
from carecircle.indicators.views.common import chosen_area, fmt, indicator_or_404, monitor_view

YEARS = list(range(FIRST_YEAR, TARGET_YEAR + 1))


def milestone_rows(indicator: Indicator, area) -> list[dict]:
    """Milestones 2021–2025 of ``area`` and the units directly below it: set here, inherited
    from above, the catalogue's 2025 target, or linear from the baseline (default)."""
    h = hierarchy_on(timezone.localdate())
    book = TargetBook({indicator.code: indicator}, h.root_id)
    ids = [area.pk, *sorted(h.children().get(area.pk, []))]
    areas = {a.pk: a for a in area.__class__.objects.filter(pk__in=ids)}
    recorded = dict(
        IndicatorValue.objects.filter(
            indicator=indicator, area_id__in=ids, period=BASELINE_PERIOD
        ).values_list("area_id", "value")
    )
    rows = []
    for area_id in sorted(ids, key=lambda a: (a != area.pk, areas[a].code if a in areas else "")):
        if area_id not in areas:
            continue
        chain = h.ancestors(area_id) or (area_id,)
        baseline = book.entered_baseline(indicator, area_id)
        if baseline is None:
            baseline = recorded.get(area_id)
        plan = milestones(indicator, chain, baseline, book)
        cells = []
        for year in YEARS:
            value, is_set = plan[year]
            own = (indicator.pk, area_id, year) in book.targets
            if own:
                kind, label = "own", _("本级设定")
            elif is_set and area_id == h.root_id and year == TARGET_YEAR:
                kind, label = "catalogue", _("规划目标")
            elif is_set:
                kind, label = "inherited", _("沿用上级")
            else:
                kind, label = "default", _("默认（线性）")
            cells.append({"year": year, "value": fmt(value), "kind": kind, "label": label})
        rows.append({"area": areas[area_id], "baseline": fmt(baseline), "cells": cells})
    return rows


def _departments(codes) -> list[str]:
    labels = dict(DepartmentKind.choices)
    return [str(labels.get(code, code)) for code in codes or []]


def _redirect(indicator: Indicator, area) -> HttpResponseRedirect:
    url = reverse("indicators:definition", args=[indicator.code])
    return HttpResponseRedirect(f"{url}?{urlencode({'area': area.code})}")


def _post(request, indicator: Indicator, area, target_areas):
    """Handle the edit form, a target, or the removal of a target; None when a form is invalid."""
    user = request.user
    action = request.POST.get("action")
    if action == "definition":
        if not user.has_perm("indicators.change_indicator"):
            raise PermissionDenied
        form = IndicatorDefinitionForm(
            request.POST, instance=Indicator.objects.get(pk=indicator.pk)
        )
        if not form.is_valid():
            return {"form": form}
        changed = update_definition(request, indicator, form.changes())
        if changed:
            messages.success(request, _("已保存指标定义"))
        else:
            messages.info(request, _("没有修改"))
        return _redirect(indicator, area)
    if action == "target":
        if not user.has_perm("indicators.change_target"):
            raise PermissionDenied
        form = TargetForm(request.POST, area_choices=target_areas)
        if not form.is_valid():
            return {"target_form": form}
        target_area = queries.area_for_user(user, form.cleaned_data["area"])
        try:
            set_target(
                request,
                indicator,
                target_area,
                form.cleaned_data["year"],
                form.cleaned_data["value"],
                form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return {"target_form": form}
        messages.success(request, _("已保存目标"))
        return _redirect(indicator, area)
    if action == "clear_target":
        target = get_object_or_404(Target, pk=request.POST.get("target"), indicator=indicator)
        queries.area_for_user(user, target.area.code)
        clear_target(request, target)
        messages.success(request, _("已删除目标，恢复为默认"))
        return _redirect(indicator, area)
    raise PermissionDenied


@monitor_view("indicators.view_indicator")
def definition(request, code):
    indicator = indicator_or_404(code)
    area = chosen_area(request)
    user = request.user
    can_edit = user.has_perm("indicators.change_indicator")
    can_target = user.has_perm("indicators.change_target")
    rows = milestone_rows(indicator, area)
    target_areas = [(r["area"].code, r["area"].name) for r in rows]
    forms = {}
    if request.method == "POST":
        outcome = _post(request, indicator, area, target_areas)
        if isinstance(outcome, HttpResponseRedirect):
            return outcome
        forms = outcome
    comp = computation(indicator.code)
    context = {
        "title": _("%(code)s 指标定义") % {"code": indicator.code},
        "indicator": indicator,
        "area": area,
        "areas": common.area_choices(user),
        "unit": common.unit_label(indicator),
        "target_text": common.fmt_target(indicator),
        "attribute": common.attribute_tag(indicator),
        "category": common.category_label(indicator.category),
        "departments": _departments(indicator.owner_departments),
        "formula": indicator.formula_zh or indicator.how_to_compute,
        "formula_is_fallback": not indicator.formula_zh and bool(indicator.how_to_compute),
        "numerator_label": comp.numerator.label if comp else "",
        "denominator_label": comp.denominator.label if comp and comp.denominator else "",
        "computation_version": comp.version if comp else None,
        "state": queries.source_state(indicator),
        "no_source_reason": queries.no_source_reason(indicator),
        "plausible": f"{fmt(indicator.min_value)} – {fmt(indicator.max_value)}",
        "history": change_history(indicator),
        "years": YEARS,
        "milestones": rows,
        "targets": Target.objects.filter(
            indicator=indicator, area_id__in=[r["area"].pk for r in rows]
        ).select_related("area"),
        "can_edit": can_edit,
        "can_target": can_target,
        "can_clear": user.has_perm("indicators.delete_target"),
        "form": forms.get("form")
        or (IndicatorDefinitionForm(instance=indicator) if can_edit else None),
        "target_form": forms.get("target_form")
        or (
            TargetForm(area_choices=target_areas, initial={"area": area.code})
            if can_target
            else None
        ),
        "indicator_url": reverse("indicators:indicator", args=[indicator.code])
        + "?"
        + urlencode({"area": area.code}),
    }
    status = 400 if forms else 200
    return render(request, "indicators/monitor/definition.html", context, status=status)
