"""Data-quality checks: robust jump tests, completeness per unit, plausible ranges, the view."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from carecircle.accounts.choices import Role
from carecircle.areas.models import Area
from carecircle.core import testing as t
from carecircle.core.choices import ScopeDomain
from carecircle.indicators import quality
from carecircle.indicators.models import Indicator, IndicatorValue
from carecircle.institutions.choices import StaffRole
from carecircle.institutions.models import CapacityRecord, Staff, StaffCertificate

TODAY = timezone.localdate()


# Robust statistics (no database) ---------------------------------------------------------------


def test_modified_z_score_flags_the_outlier_only():
    values = {"a": 10, "b": 11, "c": 10, "d": 12, "e": 50}
    flagged = quality.outliers(values)
    assert list(flagged) == ["e"]
    assert flagged["e"] > 3.5


def test_mean_absolute_deviation_stands_in_when_most_values_are_equal():
    scores = quality.robust_scores([5, 5, 5, 5, 9])
    assert scores[:4] == [0.0, 0.0, 0.0, 0.0]
    assert scores[4] == pytest.approx(4 / (1.253314 * 0.8))
    assert quality.outliers({"a": 5, "b": 5, "c": 5, "d": 5}) == {}


def test_too_few_values_say_nothing():
    assert quality.robust_scores([1, 100, 1]) == [None, None, None]


def test_small_moves_are_not_material():
    assert not quality.material(Decimal("0.03"), Decimal("0.69"))
    assert quality.material(25, 50)
    assert quality.material(1, 0)
    assert not quality.material(0, 0)


# Fixture ---------------------------------------------------------------------------------------


@pytest.fixture
def registry(db, settings):
    settings.CARECIRCLE_LIVE_INDICATORS = False
    elders = [
        t.make_person(t.VILLAGE_A1, name="王秀英", phone="13800000001", latitude=Decimal("32.5"),
                      longitude=Decimal("120.4")),
        t.make_person(t.VILLAGE_A1, name="李建国", phone=""),
        t.make_person(t.VILLAGE_A2, name="张桂兰", phone="13800000002"),
        t.make_person("320685101210", name="陈阿婆", phone=""),
        t.make_person(t.VILLAGE_A1, name="刘小宝", domain="childcare",
                      birth=TODAY - dt.timedelta(days=200)),
    ]  # fmt: skip
    good = t.make_provider(t.VILLAGE_A1, credit_code=t.credit_code(), phone="0513-1",
                           latitude=Decimal("32.5"), longitude=Decimal("120.4"))  # fmt: skip
    bare = t.make_provider(t.VILLAGE_A2, credit_code="")
    CapacityRecord.objects.create(provider=good, valid_from=dt.date(2020, 1, 1), beds_total=10)
    staff = []
    for number, provider in enumerate([good, good, bare]):
        member = Staff(provider=provider, name="王小梅", role=StaffRole.CAREGIVER,
                       hired_on=dt.date(2021, 1, 1))  # fmt: skip
        member.set_id_number(t.resident_id(birth=dt.date(1980, 1, number + 1), male=False))
        member.save()
        staff.append(member)
    StaffCertificate.objects.create(staff=staff[0], kind="证书", issued_on=dt.date(2021, 2, 1))
    return {"elders": elders, "providers": [good, bare], "staff": staff}


def _row(rows, code):
    return next(r.counts for r in rows if r.area is not None and r.area.code == code)


def test_completeness_counts_missing_fields_per_unit(registry, city_officer, town_officer):
    rows, included = quality.completeness(city_officer, t.area(t.CITY), TODAY)
    assert included == ["persons", "providers", "staff"]
    town = _row(rows, t.TOWN_A)
    assert (town["persons"], town["persons_no_coords"], town["persons_no_phone"]) == (4, 3, 2)
    assert town["providers"] == 2
    assert (town["providers_no_coords"], town["providers_no_capacity"]) == (1, 1)
    assert (town["providers_no_credit"], town["providers_no_phone"]) == (1, 1)
    assert (town["staff"], town["staff_no_certificate"]) == (3, 2)
    other = _row(rows, t.TOWN_B)
    assert (other["persons"], other["persons_no_phone"]) == (1, 1)
    total = rows[-1]
    assert total.area is None and total.counts["persons"] == 5
    villages, _ = quality.completeness(town_officer, t.area(t.TOWN_A), TODAY)
    assert _row(villages, t.VILLAGE_A1)["persons"] == 3
    assert _row(villages, t.VILLAGE_A2)["providers"] == 1


def test_completeness_follows_the_users_domain(registry):
    elderly = t.make_user(
        Role.CIVIL_AFFAIRS_OFFICER, area_code=t.CITY, domain=ScopeDomain.ELDERLY, username="ca"
    )
    rows, _ = quality.completeness(elderly, t.area(t.CITY), TODAY)
    assert rows[-1].counts["persons"] == 4  # the child is not theirs


def _value(code, area_code, period, value):
    return IndicatorValue.objects.create(
        indicator=Indicator.objects.get(code=code),
        area=Area.objects.get(code=area_code),
        period=period,
        source="computed",
        value=Decimal(value),
        status="no_target",
        computed_at=timezone.now(),
    )


def test_values_outside_the_plausible_range_are_listed(db):
    _value("E14", t.VILLAGE_A1, "2024", 120)
    _value("E14", t.VILLAGE_A2, "2024", 50)
    found = list(quality.out_of_range(t.area(t.TOWN_A)))
    assert [(v.area.code, v.value) for v in found] == [(t.VILLAGE_A1, 120)]
    assert not quality.out_of_range(t.area(t.TOWN_B)).exists()


def test_jumps_in_a_units_series_and_among_siblings(db):
    for year, value in zip(range(2021, 2027), [40, 41, 40, 42, 90, 41], strict=True):
        _value("E14", t.TOWN_A, str(year), value)
    villages = list(Area.objects.filter(parent__code=t.TOWN_B).current().order_by("code")[:6])
    for index, village in enumerate(villages):
        _value("E14", village.code, "2023", 50)
        _value("E14", village.code, "2024", 20 if index == 0 else 50 + index % 2)
    found = quality.jumps(t.area(t.CITY), TODAY, Indicator.objects.filter(code="E14"))
    series = [(j.area.code, j.period) for j in found if j.kind == "series"]
    siblings = [(j.area.code, j.period) for j in found if j.kind == "siblings"]
    assert series == [(t.TOWN_A, "2025")]
    assert siblings == [(villages[0].code, "2024")]
    jump = next(j for j in found if j.kind == "siblings")
    assert (jump.previous, jump.value, jump.unit.code) == (50, 20, t.TOWN_B)


def test_quality_view_shows_counts_per_town_and_jumps(client, registry, city_officer):
    for year, value in zip(range(2021, 2027), [40, 41, 40, 42, 90, 41], strict=True):
        _value("E14", t.TOWN_A, str(year), value)
    client.force_login(city_officer)
    response = client.get(reverse("indicators:quality"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "关键字段完整性" in page and "海安镇" in page
    assert response.context["jump_total"] == 1
    assert f"area={t.TOWN_A}" in page  # each town links to its own quality view
    assert reverse("indicators:indicator", args=["E14"]) + f"?area={t.TOWN_A}" in page
