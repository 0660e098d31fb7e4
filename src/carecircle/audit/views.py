"""The audit log, readable by the audit administrator only (R4, R18, R20, R31)."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.views import FilterView

from carecircle.audit.filters import AccessReportFilter, AuditEventFilter
from carecircle.audit.models import AuditEvent
from carecircle.core.views import export_response
from carecircle.core.xlsx import Column

EXPORT_MAX_ROWS = 100_000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value) -> str:
    """A cell that Excel will never run as a formula (usernames come from login forms)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


COLUMNS = [
    Column(gettext_lazy("时间"), lambda e: e.occurred_at, 20),
    Column(gettext_lazy("用户名"), lambda e: _text(e.username)),
    Column(gettext_lazy("角色"), lambda e: _text(e.role)),
    Column(gettext_lazy("范围"), lambda e: _text(e.scope), 24),
    Column(gettext_lazy("IP地址"), lambda e: _text(e.ip_address)),
    Column(gettext_lazy("事件"), lambda e: e.get_action_display()),
    Column(gettext_lazy("结果"), lambda e: e.get_outcome_display(), 8),
    Column(gettext_lazy("对象类型"), lambda e: _text(e.object_type)),
    Column(gettext_lazy("对象标识"), lambda e: _text(e.object_id), 38),
    Column(gettext_lazy("对象"), lambda e: _text(e.object_label), 24),
    Column(gettext_lazy("请求ID"), lambda e: _text(e.request_id), 38),
    Column(gettext_lazy("详情"), lambda e: _text(json.dumps(e.detail, ensure_ascii=False)), 40),
]


class _AuditAdminMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = "audit.view_auditevent"
    template_name = "audit/event_list.html"
    title = ""
    export_name = "audit"

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            raise PermissionDenied
        return super().handle_no_permission()

    def get_queryset(self):
        return AuditEvent.objects.for_user(self.request.user)

    def get_paginate_by(self, queryset):
        return settings.LIST_PAGE_SIZE

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            return self.export()
        return super().get(request, *args, **kwargs)

    def export(self):
        filterset = self.filterset_class(
            self.request.GET, queryset=self.get_queryset(), request=self.request
        )
        rows = filterset.qs if filterset.is_valid() else self.get_queryset().none()
        rows = rows[:EXPORT_MAX_ROWS]
        return export_response(self.request, rows, COLUMNS, self.title, self.export_name)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(title=self.title, querystring=query.urlencode())
        return context


class EventListView(_AuditAdminMixin, FilterView):
    filterset_class = AuditEventFilter
    title = gettext_lazy("审计日志")
    export_name = "audit-log"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["report"] = False
        return context


class AccessReportView(_AuditAdminMixin, FilterView):
    """Whose data did user X view between T1 and T2 (R31): views of records and full ID
    numbers, searches and exports by that user in that period."""

    filterset_class = AccessReportFilter
    title = gettext_lazy("数据访问查询")
    export_name = "audit-access"

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["data"] = self.request.GET  # always bound: no query given, no rows (strict)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["report"] = True
        context["intro"] = _(
            "列出某用户在某时间段内查看档案、查看完整身份证号、检索人员和导出的全部记录。"
        )
        return context
