"""A small world for the exchange, report, API and command tests.

Two computations are declared here (over providers and persons), so the tests do not depend on
how the catalogue's definitions evolve: X05 (safety system coverage of elderly institutions, with
the default gap list) and E13 (elders with a disability grade, to see masked names).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from django.db.models import Q

from carecircle.accounts.choices import Role
from carecircle.core import testing as t
from carecircle.indicators import engine
from carecircle.indicators.engine import Computation, Measure
from carecircle.indicators.models import Indicator
from carecircle.indicators.reporting import approve, save_report
from carecircle.indicators.services import compute
from carecircle.institutions.models import Provider
from carecircle.persons.models import Person

QUTANG = "320685102"  # 曲塘镇
QUTANG_VILLAGE = "320685102202"
OTHER_VILLAGE = t.VILLAGE_A1  # in town A, outside 曲塘镇
PERIOD = "2025"


def qutang_officer():
    return t.make_user(Role.TOWN_OFFICER, area_code=QUTANG, username="qutang")


def request_for(user):
    return SimpleNamespace(user=user, META={"REMOTE_ADDR": "127.0.0.1"}, request_id="test")


def approved(user, code: str, area_code: str, value: str, period: str = PERIOD, comment=""):
    indicator = Indicator.objects.get(code=code)
    result = save_report(
        user, indicator, t.area(area_code), period, Decimal(value), comment=comment, submit=True
    )
    return approve(request_for(user), result.report)


def _operating(w):
    return Q(opened_on__lte=w.on) & (Q(closed_on__isnull=True) | Q(closed_on__gt=w.on))


def declare(monkeypatch) -> None:
    engine.computations()  # the catalogue's definitions first, then ours over them
    elderly = Q(domain="elderly")
    monkeypatch.setitem(
        engine.REGISTRY,
        "X05",
        Computation(
            code="X05",
            numerator=Measure(
                model=Provider,
                area="area",
                base=elderly,
                when=lambda w: _operating(w) & Q(has_safety_system=True),
                label="接入系统的养老机构",
            ),
            denominator=Measure(
                model=Provider, area="area", base=elderly, when=_operating, label="养老机构"
            ),
        ),
    )
    monkeypatch.setitem(
        engine.REGISTRY,
        "E13",
        Computation(
            code="E13",
            numerator=Measure(
                model=Person,
                area="area",
                base=elderly & Q(disability_grade__isnull=False),
                when=lambda w: Q(death_date__isnull=True),
                label="有残疾等级的老年人",
            ),
            denominator=Measure(
                model=Person,
                area="area",
                base=elderly,
                when=lambda w: Q(death_date__isnull=True),
                label="老年人",
            ),
        ),
    )


def build_world(monkeypatch) -> dict:
    """Three elderly institutions (two in 曲塘镇, one in town A) and two elders in 曲塘镇,
    computed for 2021 (the baseline) and 2025."""
    declare(monkeypatch)
    opened = dt.date(2020, 1, 1)
    safe = t.make_provider(QUTANG_VILLAGE, name="曲塘颐养院", opened_on=opened)
    safe.has_safety_system = True
    safe.save()
    t.make_provider(QUTANG_VILLAGE, name="曲塘敬老院", opened_on=opened)
    t.make_provider(OTHER_VILLAGE, name="钟涵养老院", opened_on=opened)
    t.make_person(QUTANG_VILLAGE, name="张三丰")
    t.make_person(QUTANG_VILLAGE, name="李四光", disability_grade=2)
    compute(["X05", "E13"], ["2021", PERIOD])
    return {"safe": safe}
