"""The demo modules of referrals, health and funds on a small hand-built city."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from stdnum.cn import uscc

from carecircle.core import testing as t
from carecircle.demo.activity import funds as funds_demo
from carecircle.demo.activity import health as health_demo
from carecircle.demo.activity import referrals as referrals_demo
from carecircle.demo.bulk import demo_rows
from carecircle.funds.models import LotteryAllocation
from carecircle.health.models import ElderHealthCheck, counting_q
from carecircle.institutions.models import Residency
from carecircle.referrals.models import Hospital, Referral

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 11, 20)


@pytest.fixture
def city(db):
    homes = [
        t.make_provider(code, name=f"颐养院{i}", credit_code=t.credit_code())
        for i, code in enumerate((t.VILLAGE_A1, "320685101210", "320685102201"))
    ]
    for i in range(240):
        home = homes[i % 3]
        person = t.make_person(home.area.code, birth=dt.date(1935 + i % 20, 1 + i % 12, 1))
        Residency.objects.create(person=person, provider=home, admitted_on=dt.date(2023, 1, 1))
    for i in range(60):  # at home, some under 65
        t.make_person(t.VILLAGE_A2, birth=dt.date(1945 + i % 20, 6, 1))
    return homes


def test_hospitals_are_valid_demo_rows_kept_across_reloads(db):
    first = referrals_demo.ensure_hospitals(7)
    assert len(first) == 8
    hospitals = Hospital.objects.all()
    assert all(uscc.is_valid(h.credit_code) for h in hospitals)
    assert demo_rows(Hospital).count() == 8
    assert hospitals.get(name="海安市人民医院").level_label == "三级乙等"
    assert referrals_demo.ensure_hospitals(7) == first and Hospital.objects.count() == 8


def test_referrals_follow_the_residents(city):
    counts = referrals_demo.generate(7, TODAY)
    referrals = Referral.objects.all()
    assert counts["referrals"] == referrals.count() == demo_rows(Referral).count()
    assert 60 <= counts["referrals_up"] <= 200 and counts["referrals_down"] > 20
    statuses = set(referrals.values_list("status", flat=True))
    assert {"completed", "accepted", "rejected"} <= statuses
    start = TODAY - dt.timedelta(days=364)
    for r in referrals.select_related("from_provider", "to_provider"):
        assert start <= r.referred_on.date() <= TODAY
        assert Residency.objects.filter(person=r.person_id, provider=r.provider).exists()
        r.full_clean()  # every model rule holds for the bulk-written rows
    exchanged = set(referrals.values_list("fhir_id", flat=True))
    Referral.objects.all().delete()  # as clearing the demo does with the persons
    assert referrals_demo.generate(7, TODAY) == counts  # deterministic for the seed
    assert set(Referral.objects.values_list("fhir_id", flat=True)) == exchanged


def test_health_checks_cover_about_seven_in_ten_of_the_65_plus(city):
    counts = health_demo.generate(7, TODAY)
    checks = ElderHealthCheck.objects.all()
    assert counts["health_checks"] == checks.count() == demo_rows(ElderHealthCheck).count()
    this_year = checks.filter(checked_on__year=TODAY.year)
    assert this_year.filter(checked_on__gt=TODAY).count() == 0
    # 288 of the 300 are 65 or older at the year's end (twelve born 1961–1964 are not).
    elders = 288
    assert checks.filter(checked_on__year=2024, person__birth_date__year__gte=1960).count() == 0
    assert 0.55 < this_year.filter(counting_q()).count() / elders < 0.8
    assert this_year.exclude(counting_q()).count() < this_year.count() * 0.15
    assert this_year.filter(hospital__isnull=False).exists()  # 城东镇卫生院 is registered
    assert set(checks.values_list("person__birth_date__year", flat=True)) <= set(range(1935, 1961))


def test_funds_reload_replaces_and_shares_rise(db):
    counts = funds_demo.generate(7, TODAY)
    assert counts["lottery_allocations"] == LotteryAllocation.objects.count() > 50
    assert funds_demo.generate(7, TODAY) == counts  # earlier demo rows are replaced
    assert LotteryAllocation.objects.count() == counts["lottery_allocations"]
    assert not LotteryAllocation.objects.filter(allocated_on__gt=TODAY).exists()
    for year in range(2021, 2026):
        rows = LotteryAllocation.objects.filter(year=year)
        total = rows.aggregate(s=Sum("amount"))["s"]
        elderly = rows.filter(purpose="elderly").aggregate(s=Sum("amount"))["s"]
        if year < 2025:
            assert Decimal(20_000_000) < total < Decimal(45_000_000), year
        share = elderly / total
        assert Decimal("0.5") < share < Decimal("0.62"), (year, share)
    assert set(LotteryAllocation.objects.values_list("note", flat=True)) == {"演示数据"}
