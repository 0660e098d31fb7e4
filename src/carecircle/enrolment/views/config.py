"""The class rules and priority groups: read by everyone working with classes, kept by the
health commission. Every change is audited (R18) and kept in the rows' history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView, ListView, UpdateView

from carecircle.audit.choices import AuditAction
from carecircle.audit.services import record
from carecircle.enrolment.forms import ClassRuleForm, PriorityGroupForm
from carecircle.enrolment.models import ClassRule, PriorityGroup


class ConfigAccessMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Reference data without scope: the permission alone decides (403 without it)."""

    def handle_no_permission(self):
        if not self.request.user.is_authenticated:
            return super().handle_no_permission()
        raise PermissionDenied


class ConfigFormMixin(ConfigAccessMixin):
    template_name = "core/form.html"
    title = ""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title=self.title, cancel_url=self.get_success_url())
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        record(self.request, AuditAction.CONFIG_CHANGE, obj=self.object, fields=form.changed_data)
        messages.success(self.request, _("已保存"))
        return response


class RuleListView(ConfigAccessMixin, ListView):
    permission_required = "enrolment.view_classrule"
    model = ClassRule
    template_name = "enrolment/rule_list.html"
    extra_context = {"title": gettext_lazy("班级规则与优先类别")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.has_perm("enrolment.view_prioritygroup"):
            context["groups"] = PriorityGroup.objects.all()
        return context


class RuleUpdateView(ConfigFormMixin, UpdateView):
    permission_required = "enrolment.change_classrule"
    model = ClassRule
    form_class = ClassRuleForm
    title = gettext_lazy("修改班级规则")
    success_url = reverse_lazy("enrolment:rule-list")


class PriorityGroupCreateView(ConfigFormMixin, CreateView):
    permission_required = "enrolment.add_prioritygroup"
    model = PriorityGroup
    form_class = PriorityGroupForm
    title = gettext_lazy("新增优先类别")
    success_url = reverse_lazy("enrolment:rule-list")


class PriorityGroupUpdateView(ConfigFormMixin, UpdateView):
    permission_required = "enrolment.change_prioritygroup"
    model = PriorityGroup
    form_class = PriorityGroupForm
    title = gettext_lazy("修改优先类别")
    success_url = reverse_lazy("enrolment:rule-list")
