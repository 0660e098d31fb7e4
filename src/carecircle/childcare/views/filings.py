"""Filing pages: the list, the review queue with its working-day deadlines, a filing with its
documents and notices, and the workflow's actions. Every view starts from ``for_user``."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView

from carecircle.audit.choices import AuditAction
from carecircle.audit.services import record
from carecircle.childcare import forms, services
from carecircle.childcare.choices import EDITABLE_STATES, FilingPurpose, FilingState
from carecircle.childcare.filters import FilingFilter, overdue_q
from carecircle.childcare.models import Filing, FilingDocument
from carecircle.childcare.workdays import WorkingCalendar, filing_days, notice_days
from carecircle.core.history import change_history
from carecircle.core.views import (
    RegistryCreateView,
    RegistryDetailView,
    RegistryListView,
    RegistryUpdateView,
)
from carecircle.core.xlsx import Column
from carecircle.institutions.models import Provider


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _deadline_text(info) -> str:
    if info is None:
        return ""
    if info.overdue:
        if not info.overdue_days:
            return _("已超期")
        return _("已超期 %(n)s 个工作日") % {"n": info.overdue_days}
    if info.working_days_left is not None:
        return _("剩余 %(n)s 个工作日") % {"n": info.working_days_left}
    return _("已超期办结") if info.decided_late else ""


class FilingListView(RegistryListView):
    model = Filing
    filterset_class = FilingFilter
    title = gettext_lazy("托育机构备案")
    export_name = "childcare-filings"
    detail_url_name = "childcare:filing-detail"
    create_url_name = "childcare:filing-create"
    select_related = ("provider", "provider__area")

    @cached_property
    def today(self):
        return timezone.localdate()

    @cached_property
    def calendar(self) -> WorkingCalendar:
        return WorkingCalendar()

    def deadline(self, filing: Filing):
        return services.deadline(filing, self.today, self.calendar)

    @property
    def columns(self):
        def due(f):
            info = self.deadline(f)
            return info.due_on if info else None

        return [
            Column(_("机构名称"), lambda f: f.provider.name, 30),
            Column(_("备案类别"), lambda f: f.get_kind_display(), 12),
            Column(_("备案事项"), lambda f: f.get_purpose_display(), 10),
            Column(_("所在区划"), lambda f: f.provider.area.name, 16),
            Column(_("状态"), lambda f: f.get_state_display(), 10),
            Column(_("提交日期"), lambda f: f.submitted_on, 12),
            Column(_("备案期限"), due, 12),
            Column(_("期限提示"), lambda f: _deadline_text(self.deadline(f)), 16),
            Column(_("备案编号"), lambda f: f.filing_no, 14),
            Column(_("办结日期"), lambda f: f.decided_on, 12),
        ]


class FilingQueueView(FilingListView):
    """Submitted filings awaiting the commission's decision, oldest first."""

    title = gettext_lazy("备案审核")
    export_name = "childcare-filing-queue"
    permission_required = "childcare.review_filing"
    template_name = "childcare/queue.html"
    partial_template_name = "childcare/_queue_table.html"
    create_url_name = None

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(state=FilingState.SUBMITTED)
            .order_by("submitted_on", "created_at")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pending = self.get_queryset()
        context.update(
            pending=pending.count(),
            overdue=pending.filter(overdue_q(self.today)).count(),
            filing_days=filing_days(),
            notice_days=notice_days(),
            calendar_until=self.calendar.known_until(),
            table_rows=[
                (obj, cells, url, self.deadline(obj)) for obj, cells, url in context["table_rows"]
            ],
        )
        return context


class FilingDetailView(RegistryDetailView):
    model = Filing
    template_name = "childcare/filing_detail.html"
    select_related = ("provider", "provider__area", "previous")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filing: Filing = self.object
        user = self.request.user
        today = timezone.localdate()
        editable = filing.state in EDITABLE_STATES
        can_change = user.has_perm("childcare.change_filing")
        context.update(
            today=today,
            deadline=services.deadline(filing, today, WorkingCalendar()),
            filing_days=filing_days(),
            notice_days=notice_days(),
            documents=filing.documents.all(),
            notices=filing.notices.all(),
            missing=services.missing_documents(filing),
            problems=services.submission_errors(filing, today) if editable else [],
            can_edit=editable and can_change,
            can_submit=editable and can_change,
            can_review=filing.state == FilingState.SUBMITTED
            and user.has_perm("childcare.review_filing"),
            can_follow=user.has_perm("childcare.add_filing") and services.can_follow(filing),
            followed_by=Filing.objects.for_user(user).filter(previous=filing),
            history=change_history(filing),
        )
        return context


class FilingFormMixin:
    model = Filing
    form_class = forms.FilingForm

    def get_success_url(self):
        return reverse("childcare:filing-detail", args=[self.object.uuid])


class FilingCreateView(FilingFormMixin, RegistryCreateView):
    title = gettext_lazy("新建托育机构备案")
    cancel_url_name = "childcare:filing-list"

    def get_initial(self):
        initial = super().get_initial()
        wanted = self.request.GET.get("provider", "")
        if is_uuid(wanted):
            provider = Provider.objects.for_user(self.request.user).filter(uuid=wanted).first()
            if provider is not None:
                initial.update(
                    provider=provider.pk,
                    credit_code=provider.credit_code,
                    premises_address=provider.address,
                )
        return initial


class FilingUpdateView(FilingFormMixin, RegistryUpdateView):
    title = gettext_lazy("修改备案信息")

    def get_queryset(self):
        return super().get_queryset().filter(state__in=EDITABLE_STATES)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cancel_url"] = self.get_success_url()
        return context


# Actions --------------------------------------------------------------------------------------


class FilingActionMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """A filing in the user's scope (404 otherwise); the permission of the action (403)."""

    def handle_no_permission(self):
        if not self.request.user.is_authenticated:
            return super().handle_no_permission()
        raise PermissionDenied

    @cached_property
    def filing(self) -> Filing:
        queryset = Filing.objects.for_user(self.request.user).select_related("provider")
        return get_object_or_404(queryset, uuid=self.kwargs["uuid"])

    def detail_url(self) -> str:
        return reverse("childcare:filing-detail", args=[self.filing.uuid])

    def report(self, exc: ValidationError) -> None:
        for message in exc.messages:
            messages.error(self.request, message)


class FilingSubmitView(FilingActionMixin, View):
    permission_required = "childcare.change_filing"

    def post(self, request, uuid):
        try:
            services.submit(self.filing, request.user, timezone.localdate())
        except ValidationError as exc:
            self.report(exc)
        else:
            messages.success(
                request, _("已提交，卫生健康部门将在%(n)s个工作日内办理") % {"n": filing_days()}
            )
        return redirect(self.detail_url())


class FilingApproveView(FilingActionMixin, View):
    permission_required = "childcare.review_filing"

    def post(self, request, uuid):
        try:
            filing = services.approve(self.filing, request.user, timezone.localdate())
        except ValidationError as exc:
            self.report(exc)
        else:
            messages.success(request, _("已备案，备案编号 %(no)s") % {"no": filing.filing_no})
        return redirect(self.detail_url())


class FilingNoticeView(FilingActionMixin, FormView):
    permission_required = "childcare.review_filing"
    form_class = forms.NoticeForm
    template_name = "core/form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("告知备案问题：%(p)s") % {"p": self.filing.provider.name}
        context["cancel_url"] = self.detail_url()
        return context

    def form_valid(self, form):
        try:
            services.notify_problems(
                self.filing,
                self.request.user,
                form.cleaned_data["text"],
                timezone.localdate(),
                published=form.cleaned_data["published"],
            )
        except ValidationError as exc:
            self.report(exc)
        else:
            messages.success(self.request, _("已告知申请人补正"))
        return redirect(self.detail_url())


class FilingFollowUpView(FilingActionMixin, View):
    """Start a change (变更备案) or a closure (注销备案) of the filing in force."""

    permission_required = "childcare.add_filing"

    def post(self, request, uuid, purpose):
        if purpose not in (FilingPurpose.CHANGE, FilingPurpose.CLOSURE):
            raise Http404
        try:
            draft = services.start_follow_up(self.filing, purpose)
        except ValidationError as exc:
            self.report(exc)
            return redirect(self.detail_url())
        messages.success(request, _("已创建草稿，请填写后提交"))
        return redirect("childcare:filing-update", uuid=draft.uuid)


# Documents ------------------------------------------------------------------------------------


class DocumentCreateView(FilingActionMixin, FormView):
    permission_required = "childcare.change_filing"
    form_class = forms.DocumentForm
    template_name = "childcare/document_form.html"

    def locked(self):
        messages.error(self.request, _("已提交或已办结的备案不能再修改材料"))
        return redirect(self.detail_url())

    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs) if self.filing.is_editable else self.locked()

    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs) if self.filing.is_editable else self.locked()

    def get_initial(self):
        kind = self.request.GET.get("kind", "")
        return {"kind": kind} if kind else {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("上传备案材料：%(p)s") % {"p": self.filing.provider.name},
            cancel_url=self.detail_url(),
            filing=self.filing,
        )
        return context

    def form_valid(self, form):
        try:
            services.add_document(
                self.filing, form.cleaned_data["kind"], form.cleaned_data["file"], self.request.user
            )
        except ValidationError as exc:
            form.add_error("file", exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已上传"))
        return redirect(self.detail_url())


class DocumentMixin(LoginRequiredMixin, PermissionRequiredMixin):
    def handle_no_permission(self):
        if not self.request.user.is_authenticated:
            return super().handle_no_permission()
        raise PermissionDenied

    @cached_property
    def document(self) -> FilingDocument:
        queryset = FilingDocument.objects.for_user(self.request.user).select_related(
            "filing", "filing__provider"
        )
        return get_object_or_404(queryset, uuid=self.kwargs["uuid"])


class DocumentDownloadView(DocumentMixin, View):
    """The file itself, only through this scoped view (no public URL exists for it)."""

    permission_required = "childcare.view_filing"

    def get(self, request, uuid):
        document = self.document
        if not document.file:
            raise Http404
        try:
            handle = document.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        # Staff certificates are personal data: each download is audited (R18).
        record(request, AuditAction.VIEW_RECORD, obj=document, purpose="filing-document")
        return FileResponse(
            handle,
            as_attachment=True,
            filename=document.original_name,
            content_type=document.content_type,
        )


class DocumentDeleteView(DocumentMixin, View):
    permission_required = "childcare.change_filing"

    def post(self, request, uuid):
        document = self.document
        try:
            services.remove_document(document)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已删除"))
        return redirect("childcare:filing-detail", uuid=document.filing.uuid)
