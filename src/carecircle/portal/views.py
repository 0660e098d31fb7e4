"""The family portal: public pages, no sign-in needed (see ``tests/security/test_url_matrix``).

Search and provider pages show providers' published facts and counts only. The application
form is CSRF-protected, rate-limited per address and carries a field robots fill in; what a family
enters there reaches only the chosen institution and the health commission (``enrolment``'s
scope and roles). The status look-up needs the reference code and the child's ID number's last
four characters, answers the same way for a wrong code and a wrong ID, is rate-limited, and shows
nothing the family did not enter beyond the application's state.
"""

from __future__ import annotations

import hmac

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from carecircle.enrolment import occupancy
from carecircle.enrolment import services as enrolment_services
from carecircle.enrolment.choices import ApplicationSource, ApplicationStatus
from carecircle.enrolment.models import Application, ChildcareClass
from carecircle.enrolment.views.common import ensure_daily_maintenance
from carecircle.institutions.choices import CHILDCARE_KINDS, FilingStatus, ServiceMode
from carecircle.institutions.models import Grade
from carecircle.portal import map as portal_map
from carecircle.portal import services
from carecircle.portal.forms import ELDERLY, PortalApplicationForm, SearchForm, StatusForm

TOO_MANY = 429


def filed_list_url() -> str | None:
    """The public list of filed institutions, once the childcare app provides it."""
    try:
        return reverse("childcare:public-filed")
    except NoReverseMatch:
        return None


def portal_context(**extra) -> dict:
    return {"filed_list_url": filed_list_url(), **extra}


class SearchView(View):
    """Childcare places or elderly-care services near a village, a town or a point on the map."""

    def get(self, request):
        tree = services.area_tree()
        form = SearchForm(request.GET or None, tree=tree)
        origin = area = None
        places: list[services.Place] = []
        searched = form.is_bound and form.is_valid()
        kind = form.kind_value
        if searched:
            ensure_daily_maintenance()
            origin, area = form.origin()
            data = form.cleaned_data
            if kind == ELDERLY:
                filters = services.ElderlyFilters(
                    group=data.get("group") or "",
                    vacancy=bool(data.get("vacancy")),
                    max_price=data.get("max_price"),
                )
                places = services.search_elderly(filters, origin)
            else:
                rule = data.get("rule")
                filters = services.ChildcareFilters(
                    rule_id=rule.pk if rule else None,
                    mode=data.get("mode") or "",
                    affordable=bool(data.get("affordable")),
                    max_price=data.get("max_price"),
                    vacancy=bool(data.get("vacancy")),
                )
                places = services.search_childcare(filters, origin)
        page = Paginator(places, services.PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        towns = [town for town, _villages in tree]
        context = portal_context(
            form=form,
            kind=kind,
            searched=searched,
            page=page,
            total=len(places),
            query=query.urlencode(),
            origin=origin,
            origin_area=area,
            map=portal_map.build(
                services.city_box(), towns, list(page), origin, first_rank=page.start_index()
            ),
        )
        return render(request, "portal/search.html", context)


def public_provider(uuid):
    return get_object_or_404(services.public_providers(timezone.localdate()), uuid=uuid)


class ProviderView(View):
    def get(self, request, uuid):
        today = timezone.localdate()
        provider = public_provider(uuid)
        provider = services.public_providers(today).with_capacity(today).get(pk=provider.pk)
        childcare = provider.kind in CHILDCARE_KINDS
        context = portal_context(
            provider=provider,
            childcare=childcare,
            today=today,
            designations=services.designations_in_force([provider], today)[provider.pk],
            modes=[ServiceMode(m).label for m in provider.service_modes if m in ServiceMode.values],
        )
        if childcare:
            classes = services.class_offers([provider], today)[provider.pk]
            context.update(
                classes=classes,
                vacancies=sum(o.vacancies for o in classes),
                can_apply=bool(classes) and provider.filing_status == FilingStatus.FILED,
            )
        else:
            beds = provider.cap_beds_total or 0
            occupied = services._occupied_beds([provider], today).get(provider.pk, 0)
            grade = (
                Grade.objects.filter(provider=provider, valid_from__lte=today)
                .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=today))
                .order_by("-valid_from")
                .first()
            )
            context.update(
                grade=grade,
                beds=beds,
                bed_vacancies=max(beds - occupied, 0) if beds else None,
                menu=services.service_menu(provider, today),
            )
        return render(request, "portal/provider.html", context)


@method_decorator(never_cache, name="dispatch")
class ApplyView(View):
    """Apply online for a place in one of the provider's classes."""

    template_name = "portal/apply.html"

    def provider(self, uuid):
        provider = public_provider(uuid)
        if provider.kind not in CHILDCARE_KINDS:
            raise Http404
        return provider

    def form(self, provider, data=None):
        return PortalApplicationForm(data, user=None, provider=provider, public=True)

    def render_form(self, request, provider, form, status=200):
        context = portal_context(provider=provider, form=form)
        return render(request, self.template_name, context, status=status)

    def get(self, request, uuid):
        provider = self.provider(uuid)
        form = self.form(provider)
        wanted = request.GET.get("class")
        if wanted:
            chosen = ChildcareClass.objects.filter(provider=provider, uuid=wanted).first()
            if chosen is not None:
                form.initial["childcare_class"] = chosen.pk
        return self.render_form(request, provider, form)

    def post(self, request, uuid):
        provider = self.provider(uuid)
        form = self.form(provider, request.POST)
        limit = services.apply_limit()
        attempts = services.allow(
            request, "apply-attempt", limit * services.ATTEMPTS_PER_APPLICATION
        )
        if not attempts or services.used(request, "apply") >= limit:
            form.is_valid()
            form.add_error(None, _("提交过于频繁，请一小时后再试"))
            return self.render_form(request, provider, form, status=TOO_MANY)
        if not form.is_valid():
            return self.render_form(request, provider, form)
        data = form.cleaned_data
        try:
            application = enrolment_services.submit_application(
                provider=provider,
                childcare_class=data["childcare_class"],
                child_name=data["child_name"],
                id_number=data["id_number"],
                area=data["area"],
                guardian_name=data["guardian_name"],
                guardian_phone=data["guardian_phone"],
                guardian_relationship=data["guardian_relationship"],
                wanted_start=data["wanted_start"],
                priority_groups=list(data["priority_groups"]),
                source=ApplicationSource.PORTAL,
                consent=data["consent"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            return self.render_form(request, provider, form)
        services.allow(request, "apply", limit)  # counts the applications made
        context = portal_context(
            provider=provider,
            application=application,
            childcare_class=application.childcare_class,
        )
        return render(request, "portal/applied.html", context)


@method_decorator(never_cache, name="dispatch")
class StatusView(View):
    """The family checks its application by reference code and the ID's last four."""

    template_name = "portal/status.html"

    def get(self, request):
        return render(request, self.template_name, portal_context(form=StatusForm()))

    def post(self, request):
        form = StatusForm(request.POST)
        if not services.allow(request, "lookup", services.lookup_limit()):
            form.is_valid()
            form.add_error(None, _("查询过于频繁，请一小时后再试"))
            context = portal_context(form=form)
            return render(request, self.template_name, context, status=TOO_MANY)
        application = form.is_valid() and find_application(
            form.cleaned_data["reference_code"], form.cleaned_data["id_last4"]
        )
        if form.is_valid() and application is None:
            form.add_error(None, _("未找到申请，请核对申请编号和身份证号后四位"))
        context = portal_context(form=form)
        if application:
            if request.POST.get("action") == "withdraw" and application.is_open:
                try:
                    enrolment_services.withdraw(application, _("家庭通过门户撤回"))
                    context["withdrawn"] = True
                except ValidationError as exc:
                    form.add_error(None, exc.messages[0])
            context.update(status_context(application))
        return render(request, self.template_name, context)


def find_application(raw_code: str, last4: str) -> Application | None:
    code = enrolment_services.normalise_reference_code(raw_code)
    application = (
        Application.objects.filter(reference_code=code)
        .select_related("provider", "childcare_class__rule")
        .first()
        if code
        else None
    )
    expected = application.id_number_masked[-4:] if application else "????"
    # Compared in constant time whether or not the code exists.
    matches = hmac.compare_digest(expected.encode(), last4.encode())
    return application if application is not None and matches else None


def status_context(application: Application) -> dict:
    ensure_daily_maintenance()
    application.refresh_from_db()
    context = {"application": application}
    if application.status == ApplicationStatus.WAITING:
        context["position"] = occupancy.position_of(application)
        context["waiting_total"] = occupancy.waiting_list(application.childcare_class).count()
    if application.status == ApplicationStatus.OFFERED:
        context["offer"] = application.offers.pending().select_related("childcare_class").first()
    return context
