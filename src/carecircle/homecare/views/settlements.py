"""Month-end settlements: the list, running a month, the settlement page, exports, approval."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from carecircle.core.dates import local_minute
from carecircle.core.idnumbers import mask_name
from carecircle.core.views import (
    RegistryDetailView,
    RegistryListView,
    ScopedAccessMixin,
    export_response,
)
from carecircle.core.xlsx import Column
from carecircle.homecare import forms, settlement
from carecircle.homecare.filters import SettlementFilter
from carecircle.homecare.models import Settlement, SettlementException, SettlementLine

L = gettext_lazy


SETTLEMENT_COLUMNS = [
    Column(L("结算月份"), lambda s: f"{s.month:%Y-%m}", 10),
    Column(L("服务机构"), lambda s: s.provider.name, 28),
    Column(L("状态"), lambda s: s.get_status_display(), 8),
    Column(L("完成工单数"), lambda s: s.orders_count, 10),
    Column(L("政府购买工单金额（元）"), lambda s: s.delivered_amount, 14),
    Column(L("政府结算金额（元）"), lambda s: s.government_amount, 14),
    Column(L("不予结算金额（元）"), lambda s: s.withheld_amount, 14),
    Column(L("自费金额（元）"), lambda s: s.self_paid_amount, 12),
    Column(L("异常数"), lambda s: s.exceptions_count, 8),
    Column(L("审核时间"), lambda s: local_minute(s.approved_at), 17),
]

LINE_COLUMNS = [
    Column(L("服务对象"), lambda r: mask_name(r.person.name), 10),
    Column(L("村（社区）"), lambda r: r.person.area.name, 16),
    Column(L("服务类别"), lambda r: r.get_category_display(), 10),
    Column(L("工单数"), lambda r: r.orders_count, 8),
    Column(L("服务数量"), lambda r: r.quantity, 10),
    Column(L("服务金额（元）"), lambda r: r.delivered_amount, 12),
    Column(L("待遇时长（小时）"), lambda r: r.cap_hours, 12),
    Column(L("待遇金额（元）"), lambda r: r.cap_amount, 12),
    Column(L("结算时长（小时）"), lambda r: r.paid_hours, 12),
    Column(L("政府结算金额（元）"), lambda r: r.government_amount, 14),
    Column(L("超出待遇金额（元）"), lambda r: r.excess_amount, 14),
]

EXCEPTION_COLUMNS = [
    Column(L("异常类型"), lambda e: e.get_kind_display(), 28),
    Column(L("工单号"), lambda e: e.external_ref, 20),
    Column(L("服务对象"), lambda e: mask_name(e.person.name), 10),
    Column(L("村（社区）"), lambda e: e.person.area.name, 16),
    Column(L("服务类别"), lambda e: e.get_category_display(), 10),
    Column(L("服务日期"), lambda e: e.service_date, 12),
    Column(L("不予结算金额（元）"), lambda e: e.amount, 14),
    Column(L("说明"), lambda e: e.detail, 30),
]


class SettlementListView(RegistryListView):
    model = Settlement
    filterset_class = SettlementFilter
    columns = SETTLEMENT_COLUMNS
    title = L("月度结算")
    export_name = "settlements"
    detail_url_name = "homecare:settlement-detail"
    template_name = "homecare/settlement_list.html"
    select_related = ("provider",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_settle"] = self.request.user.has_perm("homecare.settle_settlement")
        return context


class SettlementRunView(ScopedAccessMixin, View):
    """Compute (or recompute) the drafts of a month: one provider, or all in the user's scope."""

    model = Settlement
    permission_required = ("homecare.view_settlement", "homecare.settle_settlement")

    def get(self, request):
        form = forms.SettlementRunForm(user=request.user)
        return render(request, "homecare/settlement_run.html", {"form": form})

    def post(self, request):
        form = forms.SettlementRunForm(request.POST, user=request.user)
        if not form.is_valid():
            return render(request, "homecare/settlement_run.html", {"form": form})
        month, provider = form.cleaned_data["month"], form.cleaned_data["provider"]
        try:
            if provider is not None:
                result = settlement.settle(provider, month)
                messages.success(request, _("已生成结算单草稿"))
                return redirect("homecare:settlement-detail", uuid=result.uuid)
            within = forms.providers_for(request.user).values_list("pk", flat=True)
            written = settlement.settle_month(month, within=list(within))
        except ValidationError as exc:
            form.add_error(None, exc.messages)
            return render(request, "homecare/settlement_run.html", {"form": form})
        messages.success(
            request, _("已生成%(n)d家机构的结算单草稿（已审核的不变）") % {"n": len(written)}
        )
        return redirect(f"{reverse('homecare:settlement-list')}?month={month:%Y-%m}")


class SettlementDetailView(RegistryDetailView):
    """The settlement with its lines and exceptions (those about elders the user may see)."""

    model = Settlement
    template_name = "homecare/settlement_detail.html"
    page_size = 50
    select_related = ("provider__area", "approved_by")

    def rows(self, model):
        return (
            model.objects.for_user(self.request.user)
            .filter(settlement=self.object)
            .select_related("person__area")
        )

    def get(self, request, *args, **kwargs):
        wanted = request.GET.get("export")
        if wanted not in ("lines", "exceptions"):
            return super().get(request, *args, **kwargs)
        if not request.user.has_perm("core.export_data"):
            raise PermissionDenied
        self.object = self.get_object()
        if wanted == "lines":
            title = _("%(s)s 结算明细") % {"s": self.object}
            rows, columns = self.rows(SettlementLine), LINE_COLUMNS
        else:
            title = _("%(s)s 结算异常") % {"s": self.object}
            rows, columns = self.rows(SettlementException), EXCEPTION_COLUMNS
        return export_response(request, rows, columns, title, f"settlement-{wanted}")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        obj: Settlement = self.object
        lines = self.rows(SettlementLine).order_by("person__area__code", "person_id", "category")
        exceptions = self.rows(SettlementException)
        by_kind = (
            exceptions.order_by()
            .values("kind")
            .annotate(n=Count("pk"), amount=Sum("amount"))
            .order_by("kind")
        )
        labels = dict(SettlementException._meta.get_field("kind").choices)
        lines_page = Paginator(lines, self.page_size).get_page(self.request.GET.get("lines"))
        exceptions_page = Paginator(exceptions, self.page_size).get_page(
            self.request.GET.get("exceptions")
        )
        context.update(
            line_columns=LINE_COLUMNS,
            line_rows=[[c.value(r) for c in LINE_COLUMNS] for r in lines_page],
            lines_page=lines_page,
            exception_columns=EXCEPTION_COLUMNS,
            exception_rows=[[c.value(e) for c in EXCEPTION_COLUMNS] for e in exceptions_page],
            exceptions_page=exceptions_page,
            by_kind=[{**row, "label": labels.get(row["kind"], row["kind"])} for row in by_kind],
            can_settle=user.has_perm("homecare.settle_settlement") and not obj.is_locked,
            can_approve=user.has_perm("homecare.settle_settlement")
            and not obj.is_locked
            and settlement.next_month(obj.month) <= timezone.localdate(),
            can_export=user.has_perm("core.export_data"),
            partial_view=not user.institution_id,
        )
        return context


class SettlementApproveView(ScopedAccessMixin, View):
    model = Settlement
    permission_required = ("homecare.view_settlement", "homecare.settle_settlement")
    http_method_names = ["post"]

    def post(self, request, uuid):
        obj = get_object_or_404(self.get_queryset(), uuid=uuid)
        try:
            settlement.approve(obj, request.user)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("结算单已审核并锁定"))
        return redirect("homecare:settlement-detail", uuid=obj.uuid)


class SettlementRerunView(ScopedAccessMixin, View):
    """POST: recompute this draft (new orders or corrections since it was computed)."""

    model = Settlement
    permission_required = ("homecare.view_settlement", "homecare.settle_settlement")
    http_method_names = ["post"]

    def post(self, request, uuid):
        obj = get_object_or_404(self.get_queryset().select_related("provider"), uuid=uuid)
        try:
            settlement.settle(obj.provider, obj.month)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已重新计算结算单"))
        return redirect("homecare:settlement-detail", uuid=obj.uuid)
