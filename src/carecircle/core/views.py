"""Shared view building blocks: scoped list/detail/forms, xlsx export and Excel imports.

Every view starts from ``Model.objects.for_user(request.user)``; an object outside the user's
scope is simply not found (404). Anonymous users are sent to the login page; users without the
permission get 403 (R1, R2).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Sequence

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import close_old_connections
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, DetailView, UpdateView
from django.views.i18n import set_language as django_set_language
from django_filters.views import FilterView

from carecircle.audit.choices import AuditAction, AuditOutcome
from carecircle.audit.services import record
from carecircle.core.imports import Importer, run_import
from carecircle.core.models import ImportJob
from carecircle.core.xlsx import XLSX_CONTENT_TYPE, Column, build_workbook, workbook_response


@require_POST
def set_language(request):
    """Switch the UI language (POST only: no state change via GET, R13)."""
    return django_set_language(request)


PRIVATE_FILTER_TOKEN = "f"  # noqa: S105 - a query parameter name, not a secret
PRIVATE_FILTER_SESSION_KEY = "list-filters"
PRIVATE_FILTER_KEEP = 20


class ScopedAccessMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Login required, the model permission required, rows limited to the user's scope."""

    model = None
    permission_action = "view"
    select_related: Sequence[str] = ()

    def get_permission_required(self) -> Sequence[str]:
        if self.permission_required:
            return super().get_permission_required()
        meta = self.model._meta
        return [f"{meta.app_label}.{self.permission_action}_{meta.model_name}"]

    def handle_no_permission(self):
        if not self.request.user.is_authenticated:
            return super().handle_no_permission()
        raise PermissionDenied

    def get_queryset(self):
        qs = self.model.objects.for_user(self.request.user)
        return qs.select_related(*self.select_related) if self.select_related else qs


def safe_referer(request, fallback: str = "/") -> str:
    """Where "cancel" goes: the previous page when it is on this site, else ``fallback``."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return fallback


def export_response(request, rows, columns, title, filename_stem: str) -> HttpResponse:
    """The rows as an xlsx download; every export is audited with its filters (R18)."""
    workbook = build_workbook(str(title), columns, rows.iterator(chunk_size=2000))
    record(
        request,
        AuditAction.EXPORT,
        label=str(title),
        rows=rows.count(),
        filters=request.GET.urlencode(),
    )
    return workbook_response(workbook, filename_stem)


def htmx_render(request, full_template: str, partial_template: str, context: dict):
    """Full page for a normal request, only the changed fragment for an htmx request."""
    template = partial_template if getattr(request, "htmx", False) else full_template
    return render(request, template, context)


class RegistryListView(ScopedAccessMixin, FilterView):
    """A filtered, paginated list that exports to xlsx with the same filters."""

    template_name = "core/list.html"
    partial_template_name = "core/_table.html"
    columns: Sequence[Column] = ()
    export_columns: Sequence[Column] | None = None
    export_name = "export"
    title = ""
    create_url_name: str | None = None
    import_slug: str | None = None
    detail_url_name: str | None = None
    # Filters holding personal data (a person's name): sent by POST and kept in the session
    # behind a random token, never in a URL (R25).
    private_filters: Sequence[str] = ()

    def filter_data(self) -> QueryDict:
        """The filters in force: the URL's public ones plus the private ones behind ``f``."""
        data = self.request.GET.copy()
        for name in self.private_filters:
            data.pop(name, None)
        token = data.get(PRIVATE_FILTER_TOKEN)
        if self.private_filters and token:
            stored = self.request.session.get(PRIVATE_FILTER_SESSION_KEY, {}).get(token, {})
            for name, values in stored.items():
                if name in self.private_filters:
                    data.setlist(name, values)
        return data

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["data"] = self.filter_data() or None
        return kwargs

    def post(self, request, *args, **kwargs):
        """The filter form of a list with private filters: park them, redirect to the list."""
        if not self.private_filters:
            return HttpResponseNotAllowed(["GET"])
        public = QueryDict(mutable=True)
        private: dict[str, list[str]] = {}
        for name in request.POST:
            values = [value for value in request.POST.getlist(name) if value.strip()]
            if name == "csrfmiddlewaretoken" or not values:
                continue
            if name in self.private_filters:
                private[name] = values
            else:
                public.setlist(name, values)
        if private:
            token = secrets.token_urlsafe(9)
            parked = request.session.get(PRIVATE_FILTER_SESSION_KEY, {})
            parked = dict(list(parked.items())[-(PRIVATE_FILTER_KEEP - 1) :])
            parked[token] = private
            request.session[PRIVATE_FILTER_SESSION_KEY] = parked
            public[PRIVATE_FILTER_TOKEN] = token
        query = public.urlencode()
        return redirect(f"{request.path}?{query}" if query else request.path)

    def get_paginate_by(self, queryset):
        try:
            wanted = int(self.request.GET.get("page_size", settings.LIST_PAGE_SIZE))
        except ValueError:
            wanted = settings.LIST_PAGE_SIZE
        return max(1, min(wanted, settings.LIST_PAGE_SIZE_MAX))

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            return self.export()
        return super().get(request, *args, **kwargs)

    def export(self) -> HttpResponse:
        if not self.request.user.has_perm("core.export_data"):
            raise PermissionDenied
        filterset = self.filterset_class(
            self.filter_data(), queryset=self.get_queryset(), request=self.request
        )
        rows = filterset.qs if filterset.is_valid() else self.get_queryset().none()
        columns = self.export_columns or self.columns
        return export_response(self.request, rows, columns, self.title, self.export_name)

    def row_url(self, obj) -> str | None:
        """Where a row's first cell links to: the detail page by UUID, unless overridden."""
        if not self.detail_url_name:
            return None
        return reverse(self.detail_url_name, args=[obj.uuid])

    def _import_url(self) -> str | None:
        if not self.import_slug:
            return None
        if not self.request.user.has_perm(importer_class(self.import_slug).permission):
            return None
        return reverse("core:import", args=[self.import_slug])

    def render_to_response(self, context, **response_kwargs):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            self.template_name = self.partial_template_name
        return super().render_to_response(context, **response_kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        for name in ("page", *self.private_filters):
            query.pop(name, None)
        context.update(
            title=self.title,
            columns=self.columns,
            create_url=reverse(self.create_url_name) if self.create_url_name else None,
            can_create=self.create_url_name
            and self.request.user.has_perm(
                f"{self.model._meta.app_label}.add_{self.model._meta.model_name}"
            ),
            import_url=self._import_url(),
            can_export=self.request.user.has_perm("core.export_data"),
            querystring=query.urlencode(),
            private_filters=bool(self.private_filters),
            table_rows=[
                (obj, [column.value(obj) for column in self.columns], self.row_url(obj))
                for obj in context["object_list"]
            ],
        )
        return context


class RegistryDetailView(ScopedAccessMixin, DetailView):
    slug_field = "uuid"
    slug_url_kwarg = "uuid"


class AuditedDetailView(RegistryDetailView):
    """The full record of a person (or of their health or care): every view is audited (R18)."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        record(request, AuditAction.VIEW_RECORD, obj=self.object)
        return response


class RegistryFormMixin(ScopedAccessMixin):
    """Create and edit forms get the user, so choices (areas, providers) can be scoped."""

    template_name = "core/form.html"
    title = ""
    # Where "cancel" goes; without it, the previous page (views may still override cancel_url).
    cancel_url_name = ""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        context["cancel_url"] = (
            reverse(self.cancel_url_name) if self.cancel_url_name else safe_referer(self.request)
        )
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("已保存"))
        return response


class RegistryCreateView(RegistryFormMixin, CreateView):
    permission_action = "add"


class RegistryUpdateView(RegistryFormMixin, UpdateView):
    permission_action = "change"
    slug_field = "uuid"
    slug_url_kwarg = "uuid"


# Imports ------------------------------------------------------------------------------------


def importer_class(slug: str) -> type[Importer]:
    for path in settings.CARECIRCLE_IMPORTERS:
        cls = import_string(path)
        if cls.slug == slug:
            return cls
    raise Http404


class ImportView(LoginRequiredMixin, View):
    """GET: the upload page with the template link; POST: check and (if all rows pass) write."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.importer_cls = importer_class(kwargs["slug"])
        if not request.user.has_perm(self.importer_cls.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, slug):
        importer = self.importer_cls(request.user)
        if request.GET.get("template") == "xlsx":
            response = HttpResponse(importer.template(), content_type=XLSX_CONTENT_TYPE)
            response["Content-Disposition"] = f'attachment; filename="template-{slug}.xlsx"'
            return response
        jobs = ImportJob.objects.filter(user=request.user, importer=slug)[:10]
        return render(request, "core/import.html", {"importer": importer, "jobs": jobs})

    def post(self, request, slug):
        upload = request.FILES.get("file")
        importer = self.importer_cls(request.user)
        if upload is None or not upload.name.lower().endswith(".xlsx"):
            messages.error(request, _("请选择 xlsx 文件"))
            return redirect("core:import", slug=slug)
        if upload.size > settings.IMPORT_MAX_BYTES:
            messages.error(request, _("文件过大"))
            return redirect("core:import", slug=slug)
        data = upload.read()
        job = ImportJob.objects.create(
            user=request.user,
            importer=slug,
            filename=upload.name[-200:],
            status=ImportJob.Status.RUNNING,
        )
        audit_context = {"ip": request.META.get("REMOTE_ADDR"), "request_id": request.request_id}
        if settings.IMPORT_RUN_INLINE:
            _execute_import(job.pk, importer, data, audit_context)
        else:
            threading.Thread(
                target=_threaded_import, args=(job.pk, importer, data, audit_context), daemon=True
            ).start()
        return redirect("core:import-job", uuid=job.uuid)


def _threaded_import(job_pk, importer, data, audit_context):
    close_old_connections()
    try:
        _execute_import(job_pk, importer, data, audit_context)
    finally:
        close_old_connections()


class _AuditRequest:
    """Carries the uploader's address and request ID into a background import's audit entry."""

    def __init__(self, user, ip, request_id):
        self.user = user
        self.META = {"REMOTE_ADDR": ip}
        self.request_id = request_id


def _execute_import(job_pk, importer: Importer, data: bytes, audit_context: dict) -> None:
    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job_pk).update(processed=done, total=total)

    try:
        outcome = run_import(importer, data, progress=progress)
    except Exception:
        ImportJob.objects.filter(pk=job_pk).update(
            status=ImportJob.Status.FAILED,
            messages=[_("导入失败，未写入任何数据，请联系管理员")],
            finished_at=timezone.now(),
        )
        raise
    ImportJob.objects.filter(pk=job_pk).update(
        status=ImportJob.Status.DONE if outcome.ok else ImportJob.Status.FAILED,
        rows=outcome.rows,
        created=outcome.created,
        updated=outcome.updated,
        unchanged=outcome.unchanged,
        messages=outcome.messages(),
        error_report=outcome.error_report,
        finished_at=timezone.now(),
    )
    record(
        _AuditRequest(importer.user, audit_context.get("ip"), audit_context.get("request_id")),
        AuditAction.IMPORT,
        user=importer.user,
        outcome=AuditOutcome.SUCCESS if outcome.ok else AuditOutcome.FAILURE,
        label=str(importer.title),
        rows=outcome.rows,
        created=outcome.created,
        updated=outcome.updated,
        errors=len(outcome.errors),
    )


class ImportJobView(LoginRequiredMixin, View):
    def get(self, request, uuid):
        job = get_object_or_404(ImportJob, uuid=uuid, user=request.user)
        if request.GET.get("report") == "xlsx":
            if not job.error_report:
                raise Http404
            response = HttpResponse(bytes(job.error_report), content_type=XLSX_CONTENT_TYPE)
            response["Content-Disposition"] = f'attachment; filename="errors-{job.importer}.xlsx"'
            return response
        importer = importer_class(job.importer)
        context = {"job": job, "importer_title": importer.title}
        return htmx_render(request, "core/import_job.html", "core/_import_job.html", context)
