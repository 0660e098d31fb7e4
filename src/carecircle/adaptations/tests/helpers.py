"""Builders shared by the adaptations and emergency tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from carecircle.adaptations import services
from carecircle.adaptations.choices import ItemKind
from carecircle.adaptations.models import AdaptationItem, AdaptationProject, FamilyCareBed
from carecircle.core import testing as t
from carecircle.persons.choices import HardshipKind
from carecircle.persons.models import HardshipFlag

D = dt.date


FLAGGED_FROM = D(2019, 1, 1)


def hardship_elder(area_code: str, *, name: str = "王秀英", flag_from=FLAGGED_FROM, **extra):
    """An elder (born 1948) in the special-hardship group from ``flag_from`` (低保)."""
    person = t.make_person(area_code, name=name, birth=extra.pop("birth", D(1948, 3, 2)), **extra)
    if flag_from is not None:
        HardshipFlag.objects.create(
            person=person, kind=HardshipKind.MINIMUM_LIVING, valid_from=flag_from
        )
    return person


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def add_item(project, kind=ItemKind.BATHROOM_GRAB_BARS, quantity=2, unit_cost="150.00"):
    return services.add_item(
        AdaptationItem(project=project, kind=kind, quantity=quantity, unit_cost=Decimal(unit_cost))
    )


def completed_project(person, *, applied, assessed, started, completed, subsidy="200", items=1):
    """A project taken through every step with ``items`` items of 2 × 150 yuan."""
    project = services.apply(AdaptationProject(person=person, applied_on=applied))
    services.assess(project, assessed, "卫生间无扶手")
    for _ in range(items):
        add_item(project)
    project.contractor_name = "测试施工单位"
    project.save()
    services.start(project, started)
    return services.complete(project, completed, Decimal(subsidy))


def open_bed(person, provider, started=None, **extra):
    return services.open_bed(
        FamilyCareBed(person=person, provider=provider, started_on=started or days_ago(30), **extra)
    )


def indicator_figures(code: str, periods, area_codes, today: dt.date) -> dict:
    """{period: {area code: Figure}} as ``indicators.services.compute`` takes them."""
    from carecircle.areas.models import Area
    from carecircle.indicators.engine import computation, evaluate
    from carecircle.indicators.hierarchy import hierarchy_on
    from carecircle.indicators.models import Indicator
    from carecircle.indicators.periods import window
    from carecircle.indicators.services import _figures

    comp = computation(code)
    indicator = Indicator.objects.get(code=code)
    windows = [window(p, today) for p in periods]
    num = evaluate(comp.numerator, windows)
    den = evaluate(comp.denominator, windows) if comp.denominator else None
    codes = dict(Area.objects.filter(code__in=area_codes).values_list("pk", "code"))
    out = {}
    for i, w in enumerate(windows):
        h = hierarchy_on(w.on)
        found = _figures(comp, indicator, num[i], den[i] if den else None, h, list(codes))
        out[w.code] = {codes[pk]: figure for pk, figure in found.items()}
    return out
