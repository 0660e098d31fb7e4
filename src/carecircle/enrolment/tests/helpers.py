"""Builders for the enrolment tests: providers with places, classes, carers, rosters, children
and applications, on fixed dates."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from carecircle.core import testing as t
from carecircle.core.idnumbers import make_resident_id
from carecircle.enrolment.choices import ApplicationSource, ApplicationStatus, Shift
from carecircle.enrolment.models import (
    Application,
    ChildcareClass,
    ClassRule,
    Enrolment,
    PriorityGroup,
    StaffDuty,
)
from carecircle.institutions.choices import FilingStatus, ServiceMode, StaffRole
from carecircle.institutions.models import CapacityRecord, Staff

MONDAY = dt.date(2025, 6, 2)
_numbers = itertools.count(1)


def childcare_provider(area_code=t.VILLAGE_A1, *, places=100, affordable=40, name=None, **extra):
    provider = t.make_provider(
        area_code,
        kind="childcare_standalone",
        name=name,
        filing_status=extra.pop("filing_status", FilingStatus.FILED),
        filed_on=dt.date(2023, 1, 1),
        opened_on=dt.date(2020, 1, 1),
        **extra,
    )
    CapacityRecord.objects.create(
        provider=provider,
        valid_from=dt.date(2020, 1, 1),
        places_total=places,
        places_affordable=affordable,
    )
    return provider


def rule(code: str) -> ClassRule:
    return ClassRule.objects.get(code=code)


def make_class(provider, code: str, *, capacity=None, mode=ServiceMode.FULL_DAY, **extra):
    band = rule(code)
    return ChildcareClass.objects.create(
        provider=provider,
        name=extra.pop("name", f"{band.name}{next(_numbers)}"),
        rule=band,
        mode=mode,
        capacity=capacity or band.max_children,
        monthly_fee=extra.pop("monthly_fee", 2000),
        opened_on=extra.pop("opened_on", dt.date(2024, 9, 1)),
        **extra,
    )


def make_carer(provider, *, role=StaffRole.CHILDCARE_TEACHER, **extra) -> Staff:
    n = next(_numbers)
    staff = Staff(
        provider=provider,
        name=extra.pop("name", f"保育员{n}"),
        role=role,
        hired_on=extra.pop("hired_on", dt.date(2020, 1, 1)),
        **extra,
    )
    staff.set_id_number(make_resident_id("320685", dt.date(1990, 1, 1), 2 * n % 998 + 1))
    staff.save()
    return staff


def on_duty(childcare_class, count: int, day: dt.date, shift=Shift.FULL_DAY) -> list[Staff]:
    carers = [make_carer(childcare_class.provider) for _ in range(count)]
    for carer in carers:
        StaffDuty.objects.create(
            childcare_class=childcare_class, staff=carer, date=day, shift=shift
        )
    return carers


def birth_for(months: int, on: dt.date) -> dt.date:
    """A birth date making a child exactly ``months`` months old on ``on`` (days ≤ 28)."""
    total = on.year * 12 + (on.month - 1) - months
    return dt.date(total // 12, total % 12 + 1, min(on.day, 28))


def child_id(birth: dt.date) -> str:
    return make_resident_id("320685", birth, 2 * next(_numbers) % 998 + 1)


def make_child(birth: dt.date, area_code=t.VILLAGE_A1, name="陈小宝"):
    from carecircle.persons.models import Person, Residence

    person = Person(domain="childcare", name=name, area=t.area(area_code))
    person.set_id_number(child_id(birth))
    person.save()
    Residence.objects.create(person=person, area=person.area, valid_from=birth)
    return person


def enrol(childcare_class, birth: dt.date, start: dt.date, **extra) -> Enrolment:
    """An enrolment written directly (the state the rules are then checked against)."""
    return Enrolment.objects.create(
        provider=childcare_class.provider,
        child=make_child(birth),
        childcare_class=childcare_class,
        started_on=start,
        **extra,
    )


def make_application(
    childcare_class,
    *,
    birth: dt.date,
    submitted_at: dt.datetime | None = None,
    groups=(),
    status=ApplicationStatus.WAITING,
    wanted_start: dt.date | None = None,
    id_number: str | None = None,
    name="李小禾",
) -> Application:
    application = Application(
        reference_code=f"TY-TEST-{next(_numbers):04d}-0000",
        provider=childcare_class.provider,
        childcare_class=childcare_class,
        mode=childcare_class.mode,
        area=t.area(t.VILLAGE_A1),
        child_name=name,
        guardian_relationship="母亲",
        wanted_start=wanted_start or MONDAY,
        submitted_at=submitted_at or timezone.now(),
        source=ApplicationSource.PORTAL,
        status=status,
    )
    application.set_id_number(id_number or child_id(birth))
    application.set_guardian("李春燕", "13912345678")
    application.save()
    application.priority_groups.set(groups)
    return application


def group(code: str) -> PriorityGroup:
    return PriorityGroup.objects.get(code=code)


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_default_timezone())
