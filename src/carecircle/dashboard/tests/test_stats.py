"""The demo city reproduces the 2022 baseline and the 2020 census, and ``area_summary`` says so.

The demo is generated once for this module at scale 0.05 (about 13,500 elders and 750 children)
inside a transaction that is rolled back when the module ends; each test runs in a savepoint of
it, so the tests may change data freely.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time

import pytest
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from carecircle.accounts.models import Department, User
from carecircle.areas.models import Area, AreaVersion, PopulationFact, ResidentialArea
from carecircle.core.fields import id_number_index
from carecircle.core.idnumbers import mask_id_number, normalise_credit_code, parse_resident_id
from carecircle.dashboard.stats import (
    CHILDCARE_INSTITUTION_KINDS,
    DAYCARE_AND_HOME_CARE_KINDS,
    area_summary,
)
from carecircle.demo import population
from carecircle.demo.bulk import demo_rows
from carecircle.demo.loader import ensure_demo
from carecircle.institutions.choices import ELDERLY_INSTITUTION_KINDS
from carecircle.institutions.models import CapacityRecord, Provider, Residency, Staff
from carecircle.persons.models import Contact, HardshipFlag, Person, Residence

SCALE = 0.05
REFERENCE = dt.date(2022, 12, 31)
CITY = "320685"
BASELINE_KEYS = (
    "elderly_institutions_total",
    "elderly_institutions_welfare_home",
    "elderly_institutions_rural_home",
    "elderly_institutions_private",
    "elderly_institution_beds",
    "daycare_and_home_care_centres",
    "childcare_institutions_total",
    "childcare_standalone",
    "childcare_kindergarten_classes",
    "childcare_kindergarten_classes_public",
    "childcare_kindergarten_classes_private",
    "childcare_places",
    "provincial_affordable_childcare",
    "provincial_model_childcare",
    "nantong_affordable_childcare",
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo at scale 0.05, generated once and rolled back after the module."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            started = time.perf_counter()
            report = ensure_demo(scale=SCALE, progress=False)
            report.wall_seconds = time.perf_counter() - started
        except BaseException:
            atomic.__exit__(*sys.exc_info())
            raise
    yield report
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def test_summary_reproduces_the_baseline_on_the_reference_date(demo):
    summary = area_summary(CITY, on=REFERENCE)
    baseline = population.baseline()
    assert set(BASELINE_KEYS) <= set(summary)
    for key in BASELINE_KEYS:
        assert summary[key] == baseline[key], key
    assert summary["area_code"] == CITY
    assert summary["area_name"] == "海安市"
    assert summary["reference_date"] == "2022-12-31"


def test_providers_are_in_force_today_too(demo):
    today = area_summary(CITY)
    baseline = population.baseline()
    assert {key: today[key] for key in BASELINE_KEYS} == {
        key: baseline[key] for key in BASELINE_KEYS
    }


def test_reference_date_as_string_and_unknown_area(demo):
    assert area_summary(CITY, on="2022-12-31") == area_summary(CITY, on=REFERENCE)
    with pytest.raises(LookupError):
        area_summary("999999")


def test_resident_population_and_people_counts(demo):
    # Persons are generated for the day the demo is loaded (the live demo has children under 3).
    summary = area_summary(CITY, on=timezone.localdate())
    assert summary["resident_population"] == 874_334
    assert summary["population_year"] == 2020
    facts = PopulationFact.objects.filter(year=2020).aggregate(
        a60=Sum("aged_60_plus"), a80=Sum("aged_80_plus"), u3=Sum("under_3")
    )
    assert summary["elders"] == pytest.approx(SCALE * facts["a60"], rel=0.01)
    assert summary["elders_80_plus"] == pytest.approx(SCALE * facts["a80"], rel=0.02)
    assert summary["children_under_3"] == pytest.approx(SCALE * facts["u3"], rel=0.02)
    assert summary["elders"] == demo.counts["elders"]
    assert summary["children_under_3"] == demo.counts["children"]


def test_population_facts_sum_exactly_to_the_census(demo):
    census = population.census()
    facts = PopulationFact.objects.filter(year=2020)
    assert facts.count() == 239
    assert facts.filter(area__level="village").count() == 239
    totals = PopulationFact.objects.rollup(Area.objects.get(code=CITY), 2020)
    for figure, fact in population.CENSUS_FIELDS.items():
        assert totals[fact] == census[figure], figure
    # The two census figures without a fact of their own are consistent with the total.
    assert (
        census["family_household_population"] + census["collective_household_population"]
        == totals["total"]
    )
    # The urban population lives in the 105 urban units, the rural one in the other 134.
    urban = facts.filter(area__is_urban=True).aggregate(
        n=Count("pk"), total=Sum("total"), rural=Sum("rural")
    )
    assert urban == {"n": 105, "total": census["urban_population"], "rural": 0}
    rural = facts.filter(area__is_urban=False).aggregate(total=Sum("total"), urban=Sum("urban"))
    assert rural == {"total": census["rural_population"], "urban": 0}


def test_population_age_structure_is_realistic(demo):
    t = PopulationFact.objects.rollup(Area.objects.get(code=CITY), 2020)
    share = {key: t[key] / t["total"] for key in population.AGE_SHARES}
    assert share == pytest.approx(population.AGE_SHARES, abs=0.001)
    assert t["aged_80_plus"] / t["aged_60_plus"] == pytest.approx(0.16, abs=0.01)
    for row in PopulationFact.objects.filter(year=2020).values():
        assert row["total"] == row["male"] + row["female"] == row["urban"] + row["rural"]
        assert row["aged_60_plus"] >= row["aged_65_plus"] >= row["aged_80_plus"]
        assert 0.2 < row["aged_60_plus"] / row["total"] < 0.5


def test_persons_per_village_follow_the_facts(demo):
    wanted = {f["area_id"]: f for f in PopulationFact.objects.filter(year=2020).values()}
    counted = Person.objects.values("area_id", "domain").annotate(n=Count("pk"))
    got = {(row["area_id"], row["domain"]): row["n"] for row in counted}
    for area_id, facts in wanted.items():
        assert got.get((area_id, "elderly"), 0) == int(facts["aged_60_plus"] * SCALE + 0.5)
        assert got.get((area_id, "childcare"), 0) == int(facts["under_3"] * SCALE + 0.5)


def test_person_rows_are_complete_and_ids_valid(demo):
    persons = demo_rows(Person)
    total = persons.count()
    assert total == demo.counts["elders"] + demo.counts["children"]
    assert Residence.objects.filter(person__in=persons, valid_to__isnull=True).count() == total
    assert not persons.filter(death_date__isnull=False).exists()
    sample = list(persons.order_by("pk")[:: max(1, total // 300)])
    for person in sample:
        number = person.id_number
        parsed = parse_resident_id(number)
        assert parsed.birth_date == person.birth_date
        assert parsed.sex == person.sex
        assert person.id_number_index == id_number_index(number)
        assert person.id_number_masked == mask_id_number(number)
        if person.domain == "childcare":
            assert number[:6] == "320685"
            assert person.age_in_months(timezone.localdate()) < 36
        else:
            assert number[:6] in ("320685", "320621")
            assert person.age_on(timezone.localdate()) >= 60
        assert 2 <= len(person.name) <= 4
    duplicates = persons.values("id_number_index").annotate(n=Count("pk")).filter(n__gt=1)
    assert not duplicates.exists()


def test_hardship_flags_guardians_and_residents(demo):
    elders = demo_rows(Person).filter(domain="elderly")
    n = elders.count()
    flags = dict(
        HardshipFlag.objects.filter(person__in=elders)
        .values_list("kind")
        .annotate(c=Count("pk"))
        .values_list("kind", "c")
    )
    assert 0.002 < flags["extreme_poverty"] / n < 0.01
    assert 0.01 < flags["minimum_living"] / n < 0.03
    assert 0.03 < flags["disabled"] / n < 0.05
    assert 0.01 < flags["dementia"] / n < 0.02
    children = demo_rows(Person).filter(domain="childcare")
    assert not children.exclude(contacts__relation="guardian").exists()
    contact = Contact.objects.filter(person__in=children, relationship="母亲").first()
    assert contact.full_name.startswith(contact.name_masked[0])
    assert len(contact.full_phone) == 11
    # Residents: below capacity everywhere, living arrangement says so.
    residencies = Residency.objects.filter(discharged_on__isnull=True)
    assert residencies.count() == demo.counts["residencies"] > 0
    assert not residencies.exclude(person__living_arrangement="institution").exists()
    for provider in Provider.objects.elderly_institutions().with_capacity(REFERENCE):
        assert provider.occupied_beds(REFERENCE) < provider.cap_beds_total


def test_providers_codes_places_and_staff(demo):
    providers = demo_rows(Provider)
    # The baseline's 127 (32 institutions, 30 centres, 65 childcare institutions) are in place
    # through 2022; what opens, closes or changes capacity later starts after the reference date.
    counted = providers.filter(
        kind__in=(
            *ELDERLY_INSTITUTION_KINDS,
            *DAYCARE_AND_HOME_CARE_KINDS,
            *CHILDCARE_INSTITUTION_KINDS,
        )
    )
    assert counted.filter(opened_on__lte=REFERENCE).count() == 127
    for code in providers.values_list("credit_code", flat=True):
        assert normalise_credit_code(code) == code
        assert code[:2] in ("12", "52", "91")
    assert not counted.filter(opened_on__gt=dt.date(2022, 1, 1), opened_on__lte=REFERENCE).exists()
    assert not providers.filter(closed_on__lte=REFERENCE).exists()
    assert not CapacityRecord.objects.filter(
        valid_from__gt=dt.date(2022, 1, 1), valid_from__lte=REFERENCE
    ).exists()
    rural_hosts = providers.filter(kind="rural_home").values_list("area__code", flat=True)
    assert len(set(rural_hosts)) == 20
    kg = providers.filter(kind="kindergarten_class")
    assert kg.filter(ownership="public").count() == 6
    staff = Staff.objects.filter(provider__in=providers)
    assert staff.count() > 2 * providers.count()
    for member in staff.order_by("pk")[::50]:
        parsed = parse_resident_id(member.id_number)
        assert (parsed.birth_date, parsed.sex) == (member.birth_date, member.sex)


def test_points_lie_inside_hai_an(demo):
    def extent(qs):
        return qs.aggregate(
            lat0=Min("latitude"), lat1=Max("latitude"), lon0=Min("longitude"), lon1=Max("longitude")
        )

    for qs in (
        Area.objects.filter(level="village", code__startswith=CITY),
        demo_rows(Provider),
        demo_rows(Person),
        demo_rows(ResidentialArea),
    ):
        box = extent(qs)
        assert not qs.filter(latitude__isnull=True).exists()
        assert box["lat0"] >= population.LAT_MIN and box["lat1"] <= population.LAT_MAX
        assert box["lon0"] >= population.LON_MIN and box["lon1"] <= population.LON_MAX


EXPECTED_ACCOUNTS = {
    # username: (role, scope area code or None, domain)
    "city": ("city_officer", CITY, "both"),
    "minzheng": ("civil_affairs_officer", CITY, "elderly"),
    "weijian": ("health_officer", CITY, "both"),
    "qutang": ("town_officer", "320685102", "both"),
    "village": ("village_worker", "village", "both"),
    "jigou": ("institution_staff", None, "both"),
    "fuwu": ("institution_staff", None, "both"),
    "pinggu": ("assessor", CITY, "elderly"),
    "tuoyu": ("institution_staff", None, "both"),
    "weisheng": ("health_worker", "320685102", "both"),
    "audit": ("audit_admin", None, "both"),
    "sysadmin": ("system_admin", CITY, "both"),
    "renshe": ("department_officer", CITY, "both"),
    "yibao": ("department_officer", CITY, "both"),
}


def test_demo_accounts_have_their_roles_and_scopes(demo):
    users = {u.username: u for u in User.objects.filter(is_demo=True)}
    assert set(users) == set(EXPECTED_ACCOUNTS)
    for username, (role, scope, domain) in EXPECTED_ACCOUNTS.items():
        user = users[username]
        assert user.role == role
        assert user.scope_domain == domain
        assert user.check_password(settings.DEMO_ACCOUNT_PASSWORD)
        assert user.is_active and not user.is_superuser
        if scope == "village":
            assert user.scope_area.kind == "village"
            assert user.scope_area.code.startswith("320685102")
            assert Person.objects.filter(area=user.scope_area, domain="elderly").exists()
        elif scope:
            assert user.scope_area.code == scope
        else:
            assert user.scope_area is None
    assert users["sysadmin"].is_staff
    institution = users["jigou"].institution
    assert institution.kind == "private_institution"
    assert institution.residencies.filter(discharged_on__isnull=True).exists()
    assert users["audit"].institution is None
    home_care = users["fuwu"].institution
    assert home_care.kind == "home_care_station"
    assert home_care.service_orders.exists()
    childcare = users["tuoyu"].institution
    assert childcare.domain == "childcare"
    assert childcare.enrolments.filter(ended_on__isnull=True).exists()
    kinds = set(Department.objects.filter(users__is_demo=True).values_list("kind", flat=True))
    assert kinds == {
        "coordination",
        "civil_affairs",
        "health",
        "town",
        "village",
        "it",
        "human_resources",
        "medical_insurance",
    }
    assert Department.objects.get(users__username="weisheng").area.code == "320685102"
    text = demo.describe()
    for username in EXPECTED_ACCOUNTS:
        assert username in text
    assert settings.DEMO_ACCOUNT_PASSWORD in text
    assert "村（社区）工作人员" in text and "用时" in text


def test_street_reassignments_have_history(demo):
    streets = {a.code: a for a in Area.objects.filter(is_demo_assumption=True)}
    assert set(streets) == {"320685001", "320685002", "320685401"}
    assert streets["320685001"].kind == "street"
    assert streets["320685401"].kind == "functional_zone"
    assert all(a.valid_from == dt.date(2024, 1, 1) for a in streets.values())
    for code, new_parent, old_parent in (
        ("320685100001", "320685001", "320685100"),
        ("320685100017", "320685001", "320685100"),
        ("320685100018", "320685002", "320685100"),
        ("320685100042", "320685002", "320685100"),
        ("320685101208", "320685401", "320685101"),
    ):
        area = Area.objects.get(code=code)
        assert area.parent.code == new_parent
        assert area.path == f"32/3206/320685/{new_parent}/{code}/"
        versions = list(area.versions.order_by("valid_from").select_related("parent"))
        assert [(v.parent.code, v.valid_from, v.valid_to) for v in versions] == [
            (old_parent, dt.date(2000, 1, 1), dt.date(2024, 1, 1)),
            (new_parent, dt.date(2024, 1, 1), None),
        ]
    assert Area.objects.filter(parent__code="320685001").count() == 17
    assert Area.objects.filter(parent__code="320685002").count() == 25
    assert Area.objects.filter(parent__code="320685401").count() == 3
    # Facts roll up along the new tree.
    street = area_summary("320685001", on=REFERENCE)["resident_population"]
    moved = PopulationFact.objects.filter(area__parent__code="320685001").aggregate(t=Sum("total"))
    assert street == moved["t"] > 0


def test_second_call_is_fast_and_creates_nothing(demo):
    models = (Person, Residence, Provider, Staff, PopulationFact, AreaVersion, User, Department)
    before = {m.__name__: m.objects.count() for m in models}
    started = time.perf_counter()
    report = ensure_demo(scale=SCALE, progress=False)
    assert time.perf_counter() - started < 2
    assert report.reused
    assert report.counts["elders"] == demo.counts["elders"]
    assert {m.__name__: m.objects.count() for m in models} == before
    assert "复用" in report.describe()


def test_village_worker_sees_only_persons_of_their_village(demo):
    worker = User.objects.get(username="village")
    visible = Person.objects.for_user(worker)
    assert visible.exists()
    assert set(visible.values_list("area_id", flat=True).distinct()) == {worker.scope_area_id}
    assert visible.count() == Person.objects.filter(area=worker.scope_area).count()
    town = Person.objects.for_user(User.objects.get(username="qutang"))
    assert not town.exclude(area__path__startswith=Area.objects.get(code="320685102").path).exists()
    assert town.count() > visible.count()
    staff = User.objects.get(username="jigou")
    served = Person.objects.for_user(staff)
    institution = staff.institution
    residents = set(
        institution.residencies.filter(discharged_on__isnull=True).values_list("person", flat=True)
    )
    beds = set(
        institution.family_care_beds.filter(ended_on__isnull=True).values_list("person", flat=True)
    )
    assert residents
    # Its residents and the elders whose family care bed it runs; nobody else.
    assert set(served.values_list("pk", flat=True)) == residents | beds
    home_care = Person.objects.for_user(User.objects.get(username="fuwu"))
    assert home_care.exists()
    assert not home_care.exclude(
        homecare_entitlements__provider=User.objects.get(username="fuwu").institution
    ).exists()
    civil = Person.objects.for_user(User.objects.get(username="minzheng"))
    assert set(civil.values_list("domain", flat=True).distinct()) == {"elderly"}


def test_force_regenerates_at_another_scale(demo):
    report = ensure_demo(scale=0.01, force=True, progress=False)
    assert not report.reused
    persons = demo_rows(Person)
    assert persons.count() == report.counts["elders"] + report.counts["children"]
    assert report.counts["elders"] == pytest.approx(0.01 * 271_044, rel=0.02)
    summary = area_summary(CITY, on=REFERENCE)
    assert all(summary[key] == population.baseline()[key] for key in BASELINE_KEYS)
    assert summary["resident_population"] == 874_334
    assert AreaVersion.objects.filter(area__code="320685100001").count() == 2
    assert Area.objects.filter(is_demo_assumption=True).count() == 3
    assert User.objects.filter(is_demo=True).count() == len(EXPECTED_ACCOUNTS)


def test_apportionment_is_exact_and_population_deterministic():
    rng = random.Random(7)
    weights = [rng.random() for _ in range(239)]
    for total in (0, 1, 238, 874_334):
        parts = population.apportion(total, weights)
        assert sum(parts) == total
        assert all(
            abs(p - total * w / sum(weights)) < 1 for p, w in zip(parts, weights, strict=True)
        )

    def facts(seed):
        units = [
            population.Unit(i, f"320685100{i:03d}", "x", "320685100", i % 2 == 0, 0, 0, {})
            for i in range(1, 40)
        ]
        population.population_facts(random.Random(seed), units)
        return [u.facts for u in units]

    assert facts(1) == facts(1)
    assert facts(1) != facts(2)


# The indicators of the demo city (issue 3's "done when") --------------------------------------

REGISTRY_BASED = [
    "E08",
    "E09",
    "E10",
    "E12",
    "E14",
    "E15",
    "E16",
    "E17",
    "E18",
    "E19",
    "E20",
    "E21",
    "E22",
    "E23",
    "E24",
    "E25",
    "E26",
    "C06",
    "C07",
    "C08",
    "C09",
    "C10",
    "C11",
    "C12",
    "X03",
    "X04",
    "X05",
    "X07",
    "X08",
    "X09",
]


def _values(period: str, **filters):
    from carecircle.indicators.models import IndicatorValue

    return IndicatorValue.objects.filter(period=period, **filters).select_related(
        "indicator", "area"
    )


def test_every_registry_based_indicator_has_a_city_value_and_towns_a_value_or_reason(demo):
    year = str(timezone.localdate().year)
    city = {v.indicator.code: v for v in _values(year, area__code=CITY)}
    for code in REGISTRY_BASED:
        assert city[code].value is not None, code
    towns = list(Area.objects.filter(level="township", path__startswith="32/3206/320685/"))
    towns = [a for a in towns if a.valid_to is None]
    rows = _values(year, area__in=towns, indicator__code__in=REGISTRY_BASED)
    assert rows.count() == len(towns) * len(REGISTRY_BASED)
    for row in rows:
        if row.value is None:
            assert row.na_reason.startswith("分母为0：本区划没有"), (row.indicator.code, row.area)


def test_c06_c09_c11_agree_with_the_baseline(demo):
    baseline = population.baseline()
    city = {v.indicator.code: v for v in _values("2022", area__code=CITY)}
    population_2022 = PopulationFact.objects.rollup(Area.objects.get(code=CITY), 2020)["total"]
    assert city["C06"].numerator == baseline["childcare_places"]
    assert city["C06"].denominator == population_2022
    assert float(city["C06"].value) == round(
        baseline["childcare_places"] / population_2022 * 1000, 4
    )
    assert city["C09"].value == baseline["provincial_affordable_childcare"]
    assert city["C11"].value == baseline["provincial_model_childcare"]
