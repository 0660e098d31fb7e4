"""The home page: key counts for the signed-in user's own scope."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from carecircle.core.choices import Domain
from carecircle.core.dates import years_before
from carecircle.core.models import user_domains
from carecircle.institutions.choices import (
    CHILDCARE_KINDS,
    COMMUNITY_FACILITY_KINDS,
    ELDERLY_INSTITUTION_KINDS,
)
from carecircle.institutions.models import Provider, Residency, Staff
from carecircle.persons.choices import HardshipKind
from carecircle.persons.models import Person


def scope_counts(user, on: dt.date) -> dict[str, int]:
    """Counts over what the user may see; every figure starts from a scoped queryset."""
    persons = Person.objects.for_user(user).present_on(on)
    people = persons.aggregate(
        elders=Count("pk", filter=Q(birth_date__lte=years_before(on, 60))),
        elders_80_plus=Count("pk", filter=Q(birth_date__lte=years_before(on, 80))),
        children_under_3=Count(
            "pk", filter=Q(birth_date__gt=years_before(on, 3), birth_date__lte=on)
        ),
    )
    people["elders_extreme_poverty"] = (
        persons.filter(domain=Domain.ELDERLY).with_flag(HardshipKind.EXTREME_POVERTY, on).count()
    )
    providers = Provider.objects.for_user(user).operating_on(on).with_capacity(on)
    facilities = providers.aggregate(
        elderly_institutions=Count("pk", filter=Q(kind__in=ELDERLY_INSTITUTION_KINDS)),
        community_facilities=Count("pk", filter=Q(kind__in=COMMUNITY_FACILITY_KINDS)),
        childcare_providers=Count("pk", filter=Q(kind__in=CHILDCARE_KINDS)),
        beds=Sum("cap_beds_total", filter=Q(kind__in=ELDERLY_INSTITUTION_KINDS)),
        places=Sum("cap_places_total", filter=Q(kind__in=CHILDCARE_KINDS)),
        places_affordable=Sum("cap_places_affordable", filter=Q(kind__in=CHILDCARE_KINDS)),
    )
    occupied = (
        Residency.objects.for_user(user)
        .filter(admitted_on__lte=on)
        .filter(Q(discharged_on__isnull=True) | Q(discharged_on__gt=on))
        .count()
    )
    staff = Staff.objects.for_user(user).filter(left_on__isnull=True).count()
    counts = {**people, **{k: v or 0 for k, v in facilities.items()}}
    counts["occupied_beds"] = occupied
    counts["vacant_beds"] = max(counts["beds"] - occupied, 0)
    counts["staff"] = staff
    return counts


def indicator_panels(user, today: dt.date) -> dict:
    """Binding indicators of the user's area not on track this year, and reporting reminders."""
    panels: dict = {"alerts": None, "reminders": None, "alert_period": str(today.year)}
    if user.scope_area_id is None:
        return panels
    if user.has_perm("indicators.view_indicatorvalue"):
        from carecircle.indicators import queries
        from carecircle.indicators.services import ensure_period
        from carecircle.indicators.views.common import fmt_target, fmt_value

        ensure_period(str(today.year), today)
        panels["alerts"] = [
            {
                "value": value,
                "text": fmt_value(value.value, value.indicator),
                "target": fmt_target(value.indicator, value.target),
            }
            for value in queries.alerts(user.scope_area, str(today.year))
        ]
    from carecircle.indicators import reporting

    if hasattr(reporting, "reminders_for"):
        panels["reminders"] = reporting.reminders_for(user)
    return panels


@login_required
def home(request):
    today = timezone.localdate()
    user = request.user
    has_scope = bool(user.scope_area_id or user.institution_id)
    context = {
        "title": _("首页"),
        "today": today,
        "counts": scope_counts(user, today) if has_scope else None,
        "scope_area": user.scope_area,
        "show_elderly": Domain.ELDERLY in user_domains(user),
        "show_childcare": Domain.CHILDCARE in user_domains(user),
        **indicator_panels(user, today),
    }
    return render(request, "dashboard/home.html", context)


def _hub(request, domain, title):
    from carecircle.dashboard.hub import HUBS, open_hubs, visible_sections

    if domain not in open_hubs(request.user):
        raise PermissionDenied
    shown = visible_sections(request.user, HUBS[domain], timezone.localdate())
    return render(request, "dashboard/services.html", {"title": title, "sections": shown})


@login_required
def elderly_services(request):
    """The elderly-service modules the user may open, with their worklist figures."""
    return _hub(request, "elderly", _("养老服务"))


@login_required
def childcare_services(request):
    """The childcare-service modules the user may open, with their worklist figures."""
    return _hub(request, "childcare", _("托育服务"))
