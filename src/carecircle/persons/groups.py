"""Target groups of the elderly services, defined once and used by every service and indicator.

特殊困难老年人 (elders in special hardship) follows the national visiting-and-care scope (独居、
失能、重残、计划生育特殊家庭 and the poor): an elder living at home on the day who holds any active
hardship flag (特困, 低保, 低保边缘, 经济困难, 失能, 失智, 计划生育特殊家庭), has a grade 1 or 2
disability certificate (重残), or is 80 or older and lives alone. Elders living in an institution
are cared for there and are not in the group.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q

from carecircle.core.dates import years_before
from carecircle.persons.choices import LivingArrangement
from carecircle.persons.models import ELDER_AGE, HardshipFlag

OLD_AGE = 80
SEVERE_DISABILITY_GRADES = (1, 2)


def _p(prefix: str) -> str:
    return f"{prefix}__" if prefix else ""


def present_q(on: dt.date, prefix: str = "") -> Q:
    """Alive, not moved out and not merged on ``on`` (``prefix`` leads from a row to the person)."""
    p = _p(prefix)
    return (
        (Q(**{f"{p}death_date__isnull": True}) | Q(**{f"{p}death_date__gt": on}))
        & (Q(**{f"{p}moved_out_on__isnull": True}) | Q(**{f"{p}moved_out_on__gt": on}))
        & Q(**{f"{p}merged_into__isnull": True})
    )


def elder_q(on: dt.date, prefix: str = "", age: int = ELDER_AGE) -> Q:
    """A person present on ``on`` aged ``age`` or more."""
    p = _p(prefix)
    return present_q(on, prefix) & Q(**{f"{p}birth_date__lte": years_before(on, age)})


def in_institution_q(on: dt.date, prefix: str = "") -> Q:
    """The person lives in a care institution on ``on`` (an open residency)."""
    from carecircle.institutions.models import Residency

    stays = Residency.objects.filter(person=OuterRef(f"{_p(prefix)}pk"), admitted_on__lte=on)
    stays = stays.filter(Q(discharged_on__isnull=True) | Q(discharged_on__gt=on))
    return Q(Exists(stays))


def flagged_q(on: dt.date, prefix: str = "", kinds=None) -> Q:
    """The person holds an active hardship flag (of ``kinds``, or any) on ``on``."""
    flags = HardshipFlag.objects.filter(person=OuterRef(f"{_p(prefix)}pk"), valid_from__lte=on)
    flags = flags.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
    if kinds is not None:
        flags = flags.filter(kind__in=kinds)
    return Q(Exists(flags))


def special_hardship_q(on: dt.date, prefix: str = "") -> Q:
    """特殊困难老年人 on ``on``: see the module docstring."""
    p = _p(prefix)
    alone_and_old = Q(**{f"{p}living_arrangement": LivingArrangement.ALONE}) & Q(
        **{f"{p}birth_date__lte": years_before(on, OLD_AGE)}
    )
    severe = Q(**{f"{p}disability_grade__in": SEVERE_DISABILITY_GRADES})
    return (
        elder_q(on, prefix)
        & ~in_institution_q(on, prefix)
        & (flagged_q(on, prefix) | severe | alone_and_old)
    )
