"""Indicators computed from the infant health records (C01–C05, X06).

Children count where they live on the period's snapshot day (their ``Residence`` in force then,
as E06 counts elders), alive, not moved out and not merged. The rules behind "on time", "up to
date" and "due" are those of ``childhealth.schedule``, shared with the record page and the
worklist:

* **C01 新生儿访视率** — newborns of the year (born from 1 January to the snapshot day) with a home
  visit within 28 days of birth, over the newborns of the year. A visit recorded later for a
  newborn of the year still counts for that year (the newborn is judged on its own 28 days).
* **C02 儿童健康管理率** — children under 3 who had every scheduled check (满月, 3, 6, 8, 12, 18,
  24, 30 months) whose deadline (age + ``CARECIRCLE_CHILD_CHECK_GRACE_DAYS``) fell in the year
  before the snapshot day recorded by then (each check is judged in the one year its deadline
  passes); a child with no such check has nothing outstanding and counts.
* **C03 婴幼儿疫苗接种率** — children under 3 up to date with the immunisation schedule on the
  snapshot day: every dose whose deadline (due age + ``CARECIRCLE_VACCINE_GRACE_DAYS``) passed is
  recorded as given by then.
* **C04 新生儿遗传四病筛查率** — newborns of the year with a screening covering all four diseases
  (PKU, CH, CAH, G6PD), over the newborns of the year.
* **C05 婴幼儿早期发展指导覆盖面** — children under 3 whose family received early-development
  guidance from 1 January to the snapshot day, over the children under 3.
* **X06 3岁以下儿童系统管理率** — children under 3 under systematic management: by the 4:2:2 rule of
  儿童保健 (0–1 岁 4 次 at 3, 6, 8 and 12 months; 1–2 岁 2 次 at 18 and 24 months; 2–3 岁 2 次 at
  30 and 36 months), every one of these checks whose deadline passed in the child's life so far
  is recorded by the snapshot day. Unlike C02 it looks at the whole life, not the year, and
  leaves out the 满月 check.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from carecircle.childhealth import schedule
from carecircle.childhealth.choices import (
    MANAGEMENT_CHECKPOINTS,
    SYSTEMATIC_CHECKPOINTS,
    UNDER_AGE,
)
from carecircle.childhealth.models import (
    ChildHealthCheck,
    DevelopmentGuidance,
    NewbornScreening,
    NewbornVisit,
    Vaccination,
)
from carecircle.core.dates import years_before
from carecircle.indicators.definitions.common import in_force
from carecircle.indicators.engine import Computation, GapRule, Measure, register
from carecircle.indicators.periods import Window
from carecircle.persons.models import Person, Residence


def _present(w: Window) -> Q:
    return (
        in_force(w, "valid_from", "valid_to")
        & Q(person__birth_date__lte=w.on)
        & (Q(person__death_date__isnull=True) | Q(person__death_date__gt=w.on))
        & (Q(person__moved_out_on__isnull=True) | Q(person__moved_out_on__gt=w.on))
        & Q(person__merged_into__isnull=True)
    )


def _children(w: Window) -> Q:
    """Residence records in force on the snapshot day of children under 3 present then."""
    return _present(w) & Q(person__birth_date__gt=years_before(w.on, UNDER_AGE))


def _newborns(w: Window) -> Q:
    """Residence records in force on the snapshot day of children born in the year by then."""
    return _present(w) & Q(person__birth_date__gte=dt.date(w.on.year, 1, 1))


def _visited(_w: Window) -> Q:
    return schedule.visited_in_time_q("person")


def _screened(_w: Window) -> Q:
    return schedule.screened_q("person")


def _checks_of_year(w: Window) -> Q:
    return schedule.checks_done_q(
        w.on, MANAGEMENT_CHECKPOINTS, "person", since=dt.date(w.on.year, 1, 1)
    )


def _up_to_date(w: Window) -> Q:
    return schedule.vaccines_up_to_date_q(w.on, "person")


def _guided(w: Window) -> Q:
    guidance = DevelopmentGuidance.objects.filter(
        child=OuterRef("person"), given_on__gte=dt.date(w.on.year, 1, 1), given_on__lte=w.on
    )
    return Q(Exists(guidance))


def _systematic(w: Window) -> Q:
    return schedule.checks_done_q(w.on, SYSTEMATIC_CHECKPOINTS, "person")


ORDER = ("area__code", "person__birth_date")
CHILDREN = _("3岁以下儿童")
NEWBORNS = _("本年度出生的新生儿")


def _rate(code, population, population_label, counted, counted_label, gap_label, records):
    """A rate over residents: ``population`` counted where they live, ``counted`` among them;
    the gap lists the population not counted."""
    return Computation(
        code=code,
        numerator=Measure(
            model=Residence,
            area="area",
            when=lambda w: population(w) & counted(w),
            label=counted_label,
        ),
        denominator=Measure(model=Residence, area="area", when=population, label=population_label),
        gap=GapRule(
            model=Residence,
            area="area",
            when=lambda w, _target: population(w) & ~counted(w),
            label=gap_label,
            order_by=ORDER,
        ),
        depends={Person: ("area",), **{model: ("child__area",) for model in records}},
    )


register(
    _rate(
        "C01",
        _newborns,
        NEWBORNS,
        _visited,
        _("出生后28天内接受家庭访视的新生儿"),
        _("本年度出生、28天内未接受家庭访视的新生儿"),
        (NewbornVisit,),
    ),
    _rate(
        "C02",
        _children,
        CHILDREN,
        _checks_of_year,
        _("本年度应做的定期健康检查均已完成的3岁以下儿童"),
        _("本年度有应做而未做的定期健康检查的3岁以下儿童"),
        (ChildHealthCheck,),
    ),
    _rate(
        "C03",
        _children,
        CHILDREN,
        _up_to_date,
        _("按免疫程序按时完成接种的3岁以下儿童"),
        _("有逾期未接种疫苗剂次的3岁以下儿童"),
        (Vaccination,),
    ),
    _rate(
        "C04",
        _newborns,
        NEWBORNS,
        _screened,
        _("完成遗传代谢病四病筛查的新生儿"),
        _("本年度出生、未完成四病筛查的新生儿"),
        (NewbornScreening,),
    ),
    _rate(
        "C05",
        _children,
        CHILDREN,
        _guided,
        _("本年度家庭接受过早期发展指导的3岁以下儿童"),
        _("本年度家庭尚未接受早期发展指导的3岁以下儿童"),
        (DevelopmentGuidance,),
    ),
    _rate(
        "X06",
        _children,
        CHILDREN,
        _systematic,
        _("按4:2:2要求接受定期健康检查的3岁以下儿童（系统管理）"),
        _("未按4:2:2要求接受定期健康检查的3岁以下儿童"),
        (ChildHealthCheck,),
    ),
)
