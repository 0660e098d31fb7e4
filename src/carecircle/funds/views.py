"""Fund allocation pages: the list by year with totals by purpose, detail and forms."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carecircle.core.history import change_history
from carecircle.core.views import (
    RegistryCreateView,
    RegistryDetailView,
    RegistryListView,
    RegistryUpdateView,
)
from carecircle.core.xlsx import Column
from carecircle.funds import services
from carecircle.funds.choices import Purpose
from carecircle.funds.filters import LotteryAllocationFilter
from carecircle.funds.forms import LotteryAllocationForm
from carecircle.funds.models import LotteryAllocation


def yuan(amount) -> str:
    """12,345,678.90 (the screen; exports keep the number)."""
    return f"{amount:,.2f}"


EXPORT_COLUMNS = [
    Column(_("资金年度"), lambda a: a.year, 8),
    Column(_("下达日期"), lambda a: a.allocated_on, 12),
    Column(_("接收区划"), lambda a: a.area.name, 14),
    Column(_("项目名称"), lambda a: a.project, 34),
    Column(_("用途"), lambda a: a.get_purpose_display(), 10),
    Column(_("金额（元）"), lambda a: a.amount, 14),
    Column(_("文号"), lambda a: a.doc_no, 20),
    Column(_("备注"), lambda a: a.note, 30),
]
COLUMNS = [
    *EXPORT_COLUMNS[:5],
    Column(_("金额（元）"), lambda a: yuan(a.amount), 14),
    EXPORT_COLUMNS[6],
]


class LotteryAllocationListView(RegistryListView):
    model = LotteryAllocation
    template_name = "funds/allocation_list.html"
    filterset_class = LotteryAllocationFilter
    columns = COLUMNS
    export_columns = EXPORT_COLUMNS
    title = _("福彩公益金分配")
    export_name = "lottery-allocations"
    detail_url_name = "funds:allocation-detail"
    create_url_name = "funds:allocation-create"
    import_slug = "lottery-allocations"
    select_related = ("area",)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        if kwargs["data"] is None:
            # The page opens on this year's allocations.
            kwargs["data"] = {"year": str(timezone.localdate().year)}
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = context["filter"]
        rows = filterset.qs if filterset.is_valid() else self.get_queryset().none()
        totals = services.totals_by_purpose(rows)
        for row in totals["rows"]:
            row["display"] = yuan(row["amount"])
        totals["display"] = yuan(totals["total"])
        context["totals"] = totals
        context["elderly"] = Purpose.ELDERLY_SERVICES
        context["can_view_indicators"] = self.request.user.has_perm(
            "indicators.view_indicatorvalue"
        )
        return context


class LotteryAllocationDetailView(RegistryDetailView):
    model = LotteryAllocation
    template_name = "funds/allocation_detail.html"
    select_related = ("area",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=str(self.object),
            history=change_history(self.object),
            can_edit=self.request.user.has_perm("funds.change_lotteryallocation"),
        )
        return context


class AllocationFormMixin:
    model = LotteryAllocation
    form_class = LotteryAllocationForm

    def get_success_url(self):
        return reverse("funds:allocation-detail", args=[self.object.uuid])


class LotteryAllocationCreateView(AllocationFormMixin, RegistryCreateView):
    title = _("登记福彩公益金分配")
    cancel_url_name = "funds:allocation-list"

    def get_initial(self):
        today = timezone.localdate()
        return {"year": today.year, "allocated_on": today}


class LotteryAllocationUpdateView(AllocationFormMixin, RegistryUpdateView):
    title = _("修改福彩公益金分配")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "cancel_url": self.get_success_url()}
