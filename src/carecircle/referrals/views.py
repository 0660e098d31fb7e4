"""Hospital and referral pages, and the FHIR exchange page. Every view starts from
``objects.for_user``: another institution's or area's referral is simply not found (404)."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView

from carecircle.audit.choices import AuditAction, AuditOutcome
from carecircle.audit.services import record
from carecircle.core.history import change_history
from carecircle.core.views import (
    AuditedDetailView,
    RegistryCreateView,
    RegistryDetailView,
    RegistryListView,
    RegistryUpdateView,
    ScopedAccessMixin,
)
from carecircle.core.xlsx import Column, yes_no
from carecircle.persons.models import Person
from carecircle.referrals import fhir, services
from carecircle.referrals.choices import ReferralStatus
from carecircle.referrals.fhir_import import import_bundle
from carecircle.referrals.filters import HospitalFilter, ReferralFilter, ReferralListFilter
from carecircle.referrals.forms import FhirUploadForm, HospitalForm, ReferralForm, RejectForm
from carecircle.referrals.models import Hospital, Referral

S = ReferralStatus
# The buttons of the detail page: the status an action leads to → its URL and label.
ACTION_BUTTONS = {
    S.ACCEPTED: ("referrals:referral-accept", gettext_lazy("确认接收")),
    S.COMPLETED: ("referrals:referral-complete", gettext_lazy("确认完成")),
    S.CANCELLED: ("referrals:referral-cancel", gettext_lazy("取消转诊")),
}
FHIR_CONTENT_TYPE = "application/fhir+json"


# Hospitals ------------------------------------------------------------------------------------

HOSPITAL_COLUMNS = [
    Column(gettext_lazy("医院名称"), lambda h: h.name, 30),
    Column(gettext_lazy("级别"), lambda h: h.level_label, 10),
    Column(gettext_lazy("基层医疗卫生机构"), lambda h: yes_no(h.is_primary_care), 10),
    Column(gettext_lazy("所在区划"), lambda h: h.area.name, 16),
    Column(gettext_lazy("统一社会信用代码"), lambda h: h.credit_code, 22),
    Column(gettext_lazy("联系电话"), lambda h: h.phone, 14),
]


class HospitalListView(RegistryListView):
    model = Hospital
    filterset_class = HospitalFilter
    columns = HOSPITAL_COLUMNS
    title = gettext_lazy("医院")
    export_name = "hospitals"
    detail_url_name = "referrals:hospital-detail"
    create_url_name = "referrals:hospital-create"
    select_related = ("area",)


class HospitalDetailView(RegistryDetailView):
    model = Hospital
    template_name = "referrals/hospital_detail.html"
    select_related = ("area",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        hospital = self.object
        referrals = Referral.objects.for_user(user)
        context.update(
            title=hospital.name,
            sent=referrals.filter(from_hospital=hospital).count(),
            received=referrals.filter(to_hospital=hospital).count(),
            history=change_history(hospital),
            can_edit=user.has_perm("referrals.change_hospital"),
            can_view_referrals=user.has_perm("referrals.view_referral"),
        )
        return context


class HospitalFormMixin:
    model = Hospital
    form_class = HospitalForm

    def get_success_url(self):
        return reverse("referrals:hospital-detail", args=[self.object.uuid])


class HospitalCreateView(HospitalFormMixin, RegistryCreateView):
    title = gettext_lazy("新增医院")
    cancel_url_name = "referrals:hospital-list"


class HospitalUpdateView(HospitalFormMixin, RegistryUpdateView):
    title = gettext_lazy("修改医院信息")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "cancel_url": self.get_success_url()}


# Referrals ------------------------------------------------------------------------------------


def _side(org) -> str:
    return org.name if org is not None else ""


REFERRAL_COLUMNS = [
    Column(
        gettext_lazy("转诊时间"),
        lambda r: timezone.localtime(r.referred_on).strftime("%Y-%m-%d %H:%M"),
        16,
    ),
    Column(gettext_lazy("方向"), lambda r: r.get_direction_display(), 6),
    Column(gettext_lazy("姓名"), lambda r: r.person.masked_name, 10),
    Column(gettext_lazy("转出方"), lambda r: _side(r.source), 26),
    Column(gettext_lazy("接收方"), lambda r: _side(r.target), 26),
    Column(gettext_lazy("诊断"), lambda r: f"{r.diagnosis_code} {r.diagnosis_text}", 24),
    Column(gettext_lazy("紧急程度"), lambda r: r.get_urgency_display(), 8),
    Column(gettext_lazy("状态"), lambda r: r.get_status_display(), 8),
]
REFERRAL_EXPORT_COLUMNS = [
    *REFERRAL_COLUMNS[:3],
    Column(gettext_lazy("身份证号"), lambda r: r.person.id_number_masked, 22),
    *REFERRAL_COLUMNS[3:],
    Column(gettext_lazy("转诊原因"), lambda r: r.reason, 30),
    Column(gettext_lazy("接收时间"), lambda r: r.accepted_at, 16),
    Column(gettext_lazy("完成时间"), lambda r: r.completed_at, 16),
    Column(gettext_lazy("拒绝原因"), lambda r: r.reject_reason, 20),
    Column(gettext_lazy("交换标识"), lambda r: r.fhir_id, 38),
]
REFERRAL_RELATED = ("person", "from_provider", "to_provider", "from_hospital", "to_hospital")


def can_export_fhir(user) -> bool:
    return all(
        user.has_perm(p)
        for p in (
            "referrals.view_referral",
            "referrals.exchange_referral",
            "persons.view_full_id_number",
        )
    )


def can_import_fhir(user) -> bool:
    return all(
        user.has_perm(p)
        for p in (
            "referrals.exchange_referral",
            "referrals.add_referral",
            "referrals.change_referral",
        )
    )


class ReferralListView(RegistryListView):
    model = Referral
    template_name = "referrals/referral_list.html"
    filterset_class = ReferralListFilter
    columns = REFERRAL_COLUMNS
    export_columns = REFERRAL_EXPORT_COLUMNS
    title = gettext_lazy("双向转诊")
    export_name = "referrals"
    detail_url_name = "referrals:referral-detail"
    create_url_name = "referrals:referral-create"
    select_related = REFERRAL_RELATED

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            can_export_fhir=can_export_fhir(user),
            can_exchange=user.has_perm("referrals.exchange_referral"),
        )
        return context


class ReferralDetailView(AuditedDetailView):
    """A referral holds health data about a person: every view is audited (R18)."""

    model = Referral
    template_name = "referrals/referral_detail.html"
    select_related = (*REFERRAL_RELATED, "person__area")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        referral = self.object
        can_change = user.has_perm("referrals.change_referral")
        allowed = services.allowed_actions(referral) if can_change else ()
        context.update(
            title=_("转诊单"),
            referral=referral,
            person_visible=user.has_perm("persons.view_person")
            and Person.objects.for_user(user).filter(pk=referral.person_id).exists(),
            actions=[
                (
                    reverse(ACTION_BUTTONS[status][0], args=[referral.uuid]),
                    ACTION_BUTTONS[status][1],
                )
                for status in allowed
                if status in ACTION_BUTTONS
            ],
            can_reject=S.REJECTED in allowed,
            reject_form=RejectForm(),
            history=change_history(referral),
        )
        return context


class ReferralCreateView(ScopedAccessMixin, FormView):
    model = Referral
    permission_action = "add"
    form_class = ReferralForm
    template_name = "referrals/referral_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title=_("登记转诊"), cancel_url=reverse("referrals:referral-list"))
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        # Finding a person by full ID number is a person search (R18).
        record(self.request, AuditAction.SEARCH_PERSON, obj=form.person, purpose="referral")
        try:
            referral = services.create_referral(
                person=form.person,
                direction=data["direction"],
                provider=data["provider"],
                hospital=data["hospital"],
                referred_on=data["referred_on"],
                reason=data["reason"],
                diagnosis_code=data["diagnosis_code"],
                diagnosis_text=data["diagnosis_text"],
                urgency=data["urgency"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已登记转诊"))
        return redirect("referrals:referral-detail", uuid=referral.uuid)


class ReferralActionView(ScopedAccessMixin, View):
    """POST only: accept, complete, reject (with a reason) or cancel a referral in scope."""

    model = Referral
    permission_action = "change"
    http_method_names = ["post"]

    def post(self, request, uuid, action):
        referral = get_object_or_404(self.get_queryset(), uuid=uuid)
        try:
            if action == S.REJECTED:
                form = RejectForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("请填写拒绝原因（不超过200字）"))
                services.reject(referral, form.cleaned_data["reject_reason"])
            elif action in services.ACTIONS:
                services.ACTIONS[action](referral)
            else:
                return HttpResponse(status=404)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已更新为“%(s)s”") % {"s": S(action).label})
        return redirect("referrals:referral-detail", uuid=referral.uuid)


# FHIR exchange ----------------------------------------------------------------------------------


class ExchangePermissionMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = ("referrals.view_referral", "referrals.exchange_referral")

    def handle_no_permission(self):
        if not self.request.user.is_authenticated:
            return super().handle_no_permission()
        raise PermissionDenied


def export_referrals(request, queryset) -> HttpResponse:
    """The referrals as a FHIR Bundle download, audited with the filters used."""
    try:
        bundle = fhir.build_bundle(queryset)
    except fhir.ExportError as exc:
        messages.error(request, str(exc))
        return redirect("referrals:fhir")
    count = fhir.count_requests(bundle)
    record(
        request,
        AuditAction.EXPORT,
        label=_("转诊单FHIR导出"),
        rows=count,
        format="fhir-r4-bundle",
        filters=request.GET.urlencode(),
    )
    response = HttpResponse(
        json.dumps(bundle, ensure_ascii=False, indent=1), content_type=FHIR_CONTENT_TYPE
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="referrals-fhir-{stamp}.json"'
    return response


class FhirExportView(ExchangePermissionMixin, View):
    """GET: the filtered referrals in scope as a FHIR R4 Bundle (full ID numbers: needs the
    view-full right as well)."""

    permission_required = (
        "referrals.view_referral",
        "referrals.exchange_referral",
        "persons.view_full_id_number",
    )

    def get(self, request):
        filterset = ReferralFilter(
            request.GET or None,
            queryset=Referral.objects.for_user(request.user),
            request=request,
        )
        if not filterset.is_valid():
            messages.error(request, _("筛选条件有误"))
            return redirect("referrals:fhir")
        return export_referrals(request, filterset.qs)


class FhirExchangeView(ExchangePermissionMixin, View):
    """The exchange page: download filtered referrals, upload a Bundle (all or nothing)."""

    template_name = "referrals/fhir_exchange.html"

    def context(self, request, **extra):
        filterset = ReferralListFilter(None, queryset=Referral.objects.none(), request=request)
        return {
            "title": _("转诊单FHIR交换"),
            "filter": filterset,
            "upload_form": FhirUploadForm(),
            "can_export": can_export_fhir(request.user),
            "can_import": can_import_fhir(request.user),
            "systems": {
                "id_number": fhir.ID_NUMBER_SYSTEM,
                "uscc": fhir.USCC_SYSTEM,
                "referral": fhir.REFERRAL_SYSTEM,
                "icd10": fhir.ICD10_SYSTEM,
            },
            **extra,
        }

    def get(self, request):
        return render(request, self.template_name, self.context(request))

    def post(self, request):
        if not can_import_fhir(request.user):
            raise PermissionDenied
        form = FhirUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, self.context(request, upload_form=form))
        upload = form.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            form.add_error("file", _("文件过大"))
            return render(request, self.template_name, self.context(request, upload_form=form))
        outcome = import_bundle(upload.read(), user=request.user)
        record(
            request,
            AuditAction.IMPORT,
            outcome=AuditOutcome.SUCCESS if outcome.ok else AuditOutcome.FAILURE,
            label=_("转诊单FHIR导入"),
            rows=outcome.requests,
            created=outcome.created,
            updated=outcome.updated,
            errors=len(outcome.errors),
        )
        if outcome.ok:
            messages.success(
                request,
                _("导入完成：新增%(c)d条，更新%(u)d条，未变%(n)d条")
                % {"c": outcome.created, "u": outcome.updated, "n": outcome.unchanged},
            )
        return render(
            request,
            self.template_name,
            self.context(request, outcome=outcome, filename=upload.name),
        )
