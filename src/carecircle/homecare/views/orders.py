"""Service orders: the list (filters, xlsx), dispatch, the order page and its actions.

A provider's staff see and act on their own provider's orders; area users see the orders of
the elders of their area. Another provider's or area's order is simply not found (404).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from carecircle.core.dates import local_minute
from carecircle.core.idnumbers import mask_name
from carecircle.core.views import (
    RegistryCreateView,
    RegistryDetailView,
    RegistryListView,
    ScopedAccessMixin,
)
from carecircle.core.xlsx import Column
from carecircle.homecare import forms, services
from carecircle.homecare.choices import OrderStatus
from carecircle.homecare.filters import ServiceOrderFilter
from carecircle.homecare.models import ServiceOrder

L = gettext_lazy


ORDER_COLUMNS = [
    Column(L("工单号"), lambda o: o.external_ref, 20),
    Column(L("服务对象"), lambda o: mask_name(o.person.name), 10),
    Column(L("村（社区）"), lambda o: o.person.area.name, 16),
    Column(L("服务项目"), lambda o: o.item.name, 16),
    Column(L("服务机构"), lambda o: o.provider.name, 24),
    Column(L("预约时间"), lambda o: local_minute(o.scheduled_start), 17),
    Column(L("状态"), lambda o: o.get_status_display(), 8),
    Column(L("费用来源"), lambda o: o.get_funding_display(), 8),
    Column(L("数量"), lambda o: o.quantity, 6),
    Column(L("金额（元）"), lambda o: o.cost, 10),
    Column(L("评分"), lambda o: o.rating, 6),
]
ORDER_EXPORT_COLUMNS = [
    *ORDER_COLUMNS[:4],
    Column(L("服务类别"), lambda o: o.item.get_category_display(), 10),
    *ORDER_COLUMNS[4:6],
    Column(L("预约结束"), lambda o: local_minute(o.scheduled_end), 17),
    Column(L("签到时间"), lambda o: local_minute(o.checked_in_at), 17),
    Column(L("签退时间"), lambda o: local_minute(o.checked_out_at), 17),
    Column(L("服务时长（分钟）"), lambda o: o.duration_minutes, 10),
    Column(L("服务人员"), lambda o: o.worker.name if o.worker_id else "", 10),
    *ORDER_COLUMNS[6:],
    Column(L("单价（元）"), lambda o: o.unit_price, 10),
    Column(L("投诉内容"), lambda o: o.complaint, 30),
]


class ServiceOrderListView(RegistryListView):
    model = ServiceOrder
    filterset_class = ServiceOrderFilter
    columns = ORDER_COLUMNS
    export_columns = ORDER_EXPORT_COLUMNS
    title = L("服务工单")
    export_name = "service-orders"
    detail_url_name = "homecare:order-detail"
    create_url_name = "homecare:order-create"
    import_slug = "service-orders"
    select_related = ("person__area", "item", "provider", "worker")


class ServiceOrderDetailView(RegistryDetailView):
    model = ServiceOrder
    template_name = "homecare/order_detail.html"
    select_related = ("person__area", "item", "provider", "worker")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order: ServiceOrder = self.object
        can_change = self.request.user.has_perm("homecare.change_serviceorder")
        open_order = order.status == OrderStatus.SCHEDULED
        context.update(
            person_name=mask_name(order.person.name),
            can_act=can_change and open_order,
            can_check_out=can_change and open_order and order.checked_in_at is not None,
            can_complete=can_change
            and open_order
            and order.checked_in_at is not None
            and order.checked_out_at is not None,
            can_rate=can_change and order.status == OrderStatus.COMPLETED,
            check_in_form=forms.TimeForm(label=_("签到时间"), auto_id="in_%s"),
            check_out_form=forms.TimeForm(label=_("签退时间"), auto_id="out_%s"),
            rating_form=forms.RatingForm(instance=order, user=self.request.user),
        )
        return context


class ServiceOrderCreateView(RegistryCreateView):
    model = ServiceOrder
    form_class = forms.ServiceOrderForm
    title = L("派发服务工单")
    cancel_url_name = "homecare:order-list"

    def form_valid(self, form):
        try:
            self.object = services.schedule(form.instance)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
            return self.form_invalid(form)
        messages.success(self.request, _("已派单"))
        return redirect(self.get_success_url())

    def get_success_url(self):
        return reverse("homecare:order-detail", args=[self.object.uuid])


class OrderActionView(ScopedAccessMixin, View):
    """POST only: one step of an order's life, on an order in the user's scope."""

    model = ServiceOrder
    permission_action = "change"
    http_method_names = ["post"]
    action = ""

    def post(self, request, uuid):
        order = get_object_or_404(self.get_queryset(), uuid=uuid)
        try:
            self.perform(order, request)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已保存"))
        return redirect("homecare:order-detail", uuid=order.uuid)

    def perform(self, order: ServiceOrder, request) -> None:
        steps = {
            "complete": services.complete,
            "cancel": services.cancel,
            "missed": services.mark_missed,
        }
        steps[self.action](order)


class TimedActionView(OrderActionView):
    def perform(self, order, request):
        form = forms.TimeForm(request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors["at"])
        step = services.check_in if self.action == "check-in" else services.check_out
        step(order, form.cleaned_data["at"])


class RateView(OrderActionView):
    def perform(self, order, request):
        form = forms.RatingForm(request.POST, instance=order, user=request.user)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.rate(order, form.cleaned_data["rating"], form.cleaned_data["complaint"])
