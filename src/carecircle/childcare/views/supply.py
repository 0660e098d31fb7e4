"""Supply and demand per town and village (table, bar chart, map, xlsx), and the public list of
filed institutions (no sign-in)."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django_filters.views import FilterView

from carecircle.areas.choices import AreaLevel
from carecircle.areas.models import Area
from carecircle.audit.choices import AuditAction
from carecircle.audit.services import record
from carecircle.childcare import charts, services
from carecircle.childcare.filters import PublicFiledFilter
from carecircle.childcare.models import FilingNotice
from carecircle.childcare.supply import SupplyRow, SupplyTable, supply_demand
from carecircle.core.xlsx import Column, build_workbook, workbook_response
from carecircle.indicators.queries import area_for_user

PUBLIC_PAGE_SIZE = 50
PUBLISHED_NOTICES = 20


def supply_area_choices(user) -> list[tuple[str, str]]:
    """The user's area and the units below it down to towns (villages are rows of a town)."""
    scope = user.scope_area
    rows = (
        Area.objects.subtree(scope)
        .current()
        .filter(Q(pk=scope.pk) | ~Q(level=AreaLevel.VILLAGE))
        .order_by("path")
        .only("code", "name", "depth")
    )
    return [(a.code, "\u3000" * (a.depth - scope.depth) + a.name) for a in rows]


def _value(value):
    return "—" if value is None else value


def supply_columns(table: SupplyTable) -> list[Column]:
    columns = [
        Column(_("区划"), lambda r: r.label, 20),
        Column(_("区划代码"), lambda r: r.code, 14),
        Column(_("3岁以下婴幼儿"), lambda r: r.children, 12),
        Column(_("托育机构（点）"), lambda r: r.providers, 12),
        Column(_("托位"), lambda r: r.places, 10),
        Column(_("普惠托位"), lambda r: r.affordable, 10),
        Column(_("在托"), lambda r: _value(r.enrolled), 10),
        Column(_("空余托位"), lambda r: _value(r.vacancies), 10),
        Column(_("近12个月申请"), lambda r: _value(r.applications), 12),
        Column(_("排队中的申请"), lambda r: _value(r.waiting), 12),
        Column(_("等待天数中位数"), lambda r: _value(r.median_wait_days), 12),
        Column(_("常住人口"), lambda r: r.residents, 12),
        Column(_("每千人口托位"), lambda r: _value(r.places_per_1000), 12),
        Column(_("托位/百名婴幼儿"), lambda r: _value(r.places_per_100_children), 12),
        Column(
            _("有普惠托育机构"),
            lambda r: (
                ""
                if r.has_affordable_institution is None
                else (_("是") if r.has_affordable_institution else _("否"))
            ),
            12,
        ),
    ]
    return columns


class SupplyDemandView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "childcare.view_supply_demand"

    def handle_no_permission(self):
        if not self.request.user.is_authenticated:
            return super().handle_no_permission()
        raise PermissionDenied

    def get(self, request):
        user = request.user
        if user.scope_area is None:
            raise PermissionDenied
        code = (request.GET.get("area") or "").strip() or user.scope_area.code
        area = area_for_user(user, code)
        today = timezone.localdate()
        table = supply_demand(user, area, today)
        columns = supply_columns(table)
        if request.GET.get("export") == "xlsx":
            return self.export(table, columns)
        rows = table.rows or [table.total]
        geo, geo_missing = charts.coverage_map(rows)
        context = {
            "title": _("托育供需分析"),
            "area": area,
            "areas": supply_area_choices(user),
            "table": table,
            "columns": columns,
            "cells": [[c.value(r) for c in columns] for r in table.rows],
            "total_cells": [c.value(table.total) for c in columns],
            "bars": charts.supply_figure(rows, table.enrolment_available),
            "map": geo,
            "map_missing": geo_missing,
            "can_export": user.has_perm("core.export_data"),
        }
        return render(request, "childcare/supply.html", context)

    def export(self, table: SupplyTable, columns: list[Column]):
        if not self.request.user.has_perm("core.export_data"):
            raise PermissionDenied
        title = _("托育供需（%(a)s，%(d)s）") % {"a": table.area.name, "d": table.on.isoformat()}
        rows: list[SupplyRow] = [*table.rows, table.total]
        workbook = build_workbook(_("托育供需"), columns, rows)
        record(self.request, AuditAction.EXPORT, label=title, rows=len(rows))
        return workbook_response(workbook, "childcare-supply-demand")


class PublicFiledListView(FilterView):
    """Filed childcare institutions and family points: public, read-only, no personal data
    (name, kind, town and village, places, filing number and date only)."""

    filterset_class = PublicFiledFilter
    template_name = "childcare/public_filed.html"
    paginate_by = PUBLIC_PAGE_SIZE
    http_method_names = ["get", "head"]

    def get_queryset(self):
        return (
            services.public_filings()
            .select_related("provider", "provider__area", "provider__area__parent")
            .order_by("provider__area__code", "provider__name")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        since = timezone.localdate().replace(day=1).replace(year=timezone.localdate().year - 1)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            title=_("托育机构备案信息公开"),
            querystring=query.urlencode(),
            notices=FilingNotice.objects.filter(published=True, issued_on__gte=since)
            .select_related("filing__provider")
            .order_by("-issued_on")[:PUBLISHED_NOTICES],
        )
        return context
