"""Applications, the waiting list's decisions, offers and enrolments.

The application detail is a full personal record: every view is audited (R18); the guardian's
name and phone are shown masked and revealed by POST to holders of ``view_applicant_contact``,
audited as well (R24). Names in lists are masked.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView

from carecircle.audit.choices import AuditAction
from carecircle.audit.services import record
from carecircle.core.history import change_history
from carecircle.core.views import RegistryDetailView, RegistryListView
from carecircle.core.xlsx import Column
from carecircle.enrolment import occupancy, services
from carecircle.enrolment.choices import ApplicationSource, ApplicationStatus
from carecircle.enrolment.filters import ApplicationFilter, EnrolmentFilter, OfferFilter
from carecircle.enrolment.forms import (
    AcceptForm,
    ApplicationForm,
    EndEnrolmentForm,
    OfferForm,
    ReasonForm,
    ReviewForm,
)
from carecircle.enrolment.models import Application, Enrolment, Offer
from carecircle.enrolment.models.config import months_between
from carecircle.enrolment.views.common import ScopedObjectMixin, ensure_daily_maintenance


def _today() -> dt.date:
    return timezone.localdate()


def _local(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _group_names(application: Application) -> str:
    return "、".join(group.name for group in application.priority_groups.all())


APPLICATION_COLUMNS = [
    Column(gettext_lazy("申请编号"), lambda a: a.reference_code, 18),
    Column(gettext_lazy("婴幼儿"), lambda a: a.masked_child_name, 10),
    Column(gettext_lazy("月龄"), lambda a: months_between(a.birth_date, _today()), 6),
    Column(gettext_lazy("托育机构"), lambda a: a.provider.name, 24),
    Column(gettext_lazy("申请班级"), lambda a: a.childcare_class.name, 14),
    Column(gettext_lazy("状态"), lambda a: a.get_status_display(), 10),
    Column(gettext_lazy("候补位次"), lambda a: getattr(a, "position", None), 8),
    Column(
        gettext_lazy("优先类别"), lambda a: "、".join(g.name for g in a.priority_groups.all()), 16
    ),
    Column(gettext_lazy("提交时间"), lambda a: _local(a.submitted_at), 16),
    Column(gettext_lazy("申请渠道"), lambda a: a.get_source_display(), 12),
]


class ApplicationListView(RegistryListView):
    template_name = "enrolment/list.html"
    model = Application
    filterset_class = ApplicationFilter
    columns = APPLICATION_COLUMNS
    export_columns = [c for c in APPLICATION_COLUMNS if c.header != APPLICATION_COLUMNS[6].header]
    title = gettext_lazy("入托申请")
    export_name = "childcare-applications"
    detail_url_name = "enrolment:application-detail"
    create_url_name = "enrolment:application-create"
    select_related = ("provider", "childcare_class")

    def get(self, request, *args, **kwargs):
        ensure_daily_maintenance()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().prefetch_related("priority_groups")

    def paginate_queryset(self, queryset, page_size):
        paginator, page, object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        shown = list(object_list)  # evaluated once: the page's rows carry their position
        found = occupancy.positions(shown)
        for application in shown:
            application.position = found.get(application.pk)
        return paginator, page, object_list, is_paginated

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_create"] = context["can_create"] and self.request.user.institution_id
        return context


class ApplicationDetailView(RegistryDetailView):
    model = Application
    template_name = "enrolment/application_detail.html"
    reveal = False

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("provider", "childcare_class__rule", "area", "child")
            .prefetch_related("priority_groups")
        )

    def get(self, request, *args, **kwargs):
        ensure_daily_maintenance()
        response = super().get(request, *args, **kwargs)
        record(request, AuditAction.VIEW_RECORD, obj=self.object)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application: Application = self.object
        user = self.request.user
        today = _today()
        status = application.status
        can_change = user.has_perm("enrolment.change_application")
        context.update(
            title=_("入托申请 %(c)s") % {"c": application.reference_code},
            application=application,
            months=months_between(application.birth_date, today),
            position=occupancy.position_of(application),
            offers=application.offers.select_related("childcare_class").order_by("-made_at"),
            enrolment=Enrolment.objects.filter(application=application).first(),
            history=change_history(application),
            can_reveal=user.has_perm("enrolment.view_applicant_contact"),
            revealed=self.reveal,
            can_review=can_change and status == ApplicationStatus.SUBMITTED,
            can_refuse=can_change
            and status in (ApplicationStatus.SUBMITTED, ApplicationStatus.WAITING),
            can_withdraw=can_change and application.is_open,
            can_offer=user.has_perm("enrolment.add_offer")
            and status in (ApplicationStatus.SUBMITTED, ApplicationStatus.WAITING),
            can_answer=user.has_perm("enrolment.change_offer"),
            review_form=ReviewForm(initial={"priority_groups": application.priority_groups.all()}),
            reason_form=ReasonForm(),
            accept_form=AcceptForm(),
            now=timezone.now(),
        )
        return context


class ApplicationContactView(ApplicationDetailView):
    """POST only: the detail page with the guardian's name and phone in full, audited."""

    permission_required = ("enrolment.view_application", "enrolment.view_applicant_contact")
    http_method_names = ["post"]
    reveal = True

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        record(request, AuditAction.VIEW_RECORD, obj=self.object, purpose="applicant-contact")
        return self.render_to_response(self.get_context_data(object=self.object))


class ApplicationCreateView(ScopedObjectMixin, FormView):
    """An institution registers an application it received in person or by phone."""

    model = Application
    permission_action = "add"
    form_class = ApplicationForm
    template_name = "core/form.html"

    def provider(self):
        institution = self.request.user.institution
        if institution is None:
            raise PermissionDenied
        return institution

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(user=self.request.user, provider=self.provider(), public=False)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("登记入托申请：%(p)s") % {"p": self.provider()},
            cancel_url=reverse("enrolment:application-list"),
        )
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            application = services.submit_application(
                provider=self.provider(),
                childcare_class=data["childcare_class"],
                child_name=data["child_name"],
                id_number=data["id_number"],
                area=data["area"],
                guardian_name=data["guardian_name"],
                guardian_phone=data["guardian_phone"],
                guardian_relationship=data["guardian_relationship"],
                wanted_start=data["wanted_start"],
                priority_groups=list(data["priority_groups"]),
                source=ApplicationSource.STAFF,
                consent=data["consent"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        messages.success(
            self.request, _("已登记，申请编号 %(c)s") % {"c": application.reference_code}
        )
        return redirect("enrolment:application-detail", uuid=application.uuid)


class ApplicationActionView(ScopedObjectMixin, View):
    """POST: put on the waiting list, refuse or withdraw."""

    model = Application
    permission_action = "change"
    http_method_names = ["post"]

    def post(self, request, uuid, action):
        application = self.target
        try:
            if action == "review":
                form = ReviewForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("优先类别选择有误"))
                services.put_on_waiting_list(
                    application, list(form.cleaned_data["priority_groups"])
                )
                messages.success(request, _("已列入候补名单"))
            elif action in ("refuse", "withdraw"):
                form = ReasonForm(request.POST)
                reason = request.POST.get("reason", "") if form.is_valid() else ""
                if action == "refuse":
                    services.refuse(application, reason)
                    messages.success(request, _("已拒绝该申请"))
                else:
                    services.withdraw(application, reason)
                    messages.success(request, _("已撤回该申请"))
            else:
                raise Http404
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect("enrolment:application-detail", uuid=application.uuid)


class OfferCreateView(ScopedObjectMixin, FormView):
    model = Offer
    lookup_model = Application
    permission_action = "add"
    form_class = OfferForm
    template_name = "enrolment/offer_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(user=self.request.user, application=self.target)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = self.target
        context.update(
            title=_("发录取通知：%(c)s") % {"c": application.reference_code},
            application=application,
            position=occupancy.position_of(application),
            valid_days=services.offer_valid_days(),
            cancel_url=reverse("enrolment:application-detail", args=[application.uuid]),
        )
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.make_offer(
                self.target,
                data["childcare_class"],
                data["start_on"],
                user=self.request.user,
                out_of_order_reason=data["out_of_order_reason"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        messages.success(self.request, _("已发出录取通知"))
        return redirect("enrolment:application-detail", uuid=self.target.uuid)


class OfferAnswerView(ScopedObjectMixin, View):
    """POST: the family's answer to an offer, recorded by the institution."""

    model = Offer
    permission_action = "change"
    http_method_names = ["post"]

    def post(self, request, uuid, action):
        offer = self.target
        try:
            if action == "accept":
                form = AcceptForm(request.POST)
                start = form.cleaned_data["start_on"] if form.is_valid() else None
                enrolment = services.accept_offer(offer, start)
                messages.success(
                    request,
                    _("已办理入托：%(c)s，%(d)s 起")
                    % {"c": enrolment.childcare_class.name, "d": enrolment.started_on},
                )
            elif action == "decline":
                services.decline_offer(offer)
                messages.success(request, _("已记录家庭放弃录取"))
            else:
                raise Http404
        except ValidationError as exc:
            messages.error(request, _("未能办理入托："))
            for message in exc.messages:
                messages.error(request, message)
        return redirect("enrolment:application-detail", uuid=offer.application.uuid)


OFFER_COLUMNS = [
    Column(gettext_lazy("申请编号"), lambda o: o.application.reference_code, 18),
    Column(gettext_lazy("婴幼儿"), lambda o: o.application.masked_child_name, 10),
    Column(gettext_lazy("托育机构"), lambda o: o.childcare_class.provider.name, 24),
    Column(gettext_lazy("录取班级"), lambda o: o.childcare_class.name, 14),
    Column(gettext_lazy("入托日期"), lambda o: o.start_on, 12),
    Column(gettext_lazy("发出时间"), lambda o: _local(o.made_at), 16),
    Column(gettext_lazy("答复截止"), lambda o: _local(o.expires_at), 16),
    Column(gettext_lazy("状态"), lambda o: o.state(), 8),
]


class OfferListView(RegistryListView):
    template_name = "enrolment/list.html"
    model = Offer
    filterset_class = OfferFilter
    columns = OFFER_COLUMNS
    title = gettext_lazy("录取通知")
    export_name = "childcare-offers"
    select_related = ("application", "childcare_class__provider")

    def get(self, request, *args, **kwargs):
        ensure_daily_maintenance()
        return super().get(request, *args, **kwargs)

    def row_url(self, obj) -> str:
        return reverse("enrolment:application-detail", args=[obj.application.uuid])


ENROLMENT_COLUMNS = [
    Column(gettext_lazy("婴幼儿"), lambda e: e.child.masked_name, 10),
    Column(gettext_lazy("月龄"), lambda e: e.child.age_in_months(_today()), 6),
    Column(gettext_lazy("托育机构"), lambda e: e.provider.name, 24),
    Column(gettext_lazy("班级"), lambda e: e.childcare_class.name, 14),
    Column(gettext_lazy("入托日期"), lambda e: e.started_on, 12),
    Column(gettext_lazy("离托日期"), lambda e: e.ended_on, 12),
    Column(gettext_lazy("离托原因"), lambda e: e.get_end_reason_display(), 10),
]


class EnrolmentListView(RegistryListView):
    template_name = "enrolment/list.html"
    model = Enrolment
    filterset_class = EnrolmentFilter
    columns = ENROLMENT_COLUMNS
    title = gettext_lazy("在托婴幼儿")
    export_name = "childcare-enrolments"
    select_related = ("child", "provider", "childcare_class")

    def get(self, request, *args, **kwargs):
        ensure_daily_maintenance()
        return super().get(request, *args, **kwargs)

    def row_url(self, obj) -> str | None:
        if obj.ended_on or not self.request.user.has_perm("enrolment.change_enrolment"):
            return None
        return reverse("enrolment:enrolment-end", args=[obj.uuid])


class EnrolmentEndView(ScopedObjectMixin, FormView):
    """Record that a child leaves (退托 or 转出; 满3周岁 is recorded by the daily job)."""

    model = Enrolment
    permission_action = "change"
    form_class = EndEnrolmentForm
    template_name = "core/form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        enrolment = self.target
        context.update(
            title=_("办理离托：%(c)s %(k)s")
            % {"c": enrolment.child.masked_name, "k": enrolment.childcare_class.name},
            cancel_url=reverse("enrolment:enrolment-list"),
        )
        return context

    def form_valid(self, form):
        try:
            services.end_enrolment(
                self.target, form.cleaned_data["on"], form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        messages.success(self.request, _("已办理离托"))
        return redirect("enrolment:enrolment-list")
