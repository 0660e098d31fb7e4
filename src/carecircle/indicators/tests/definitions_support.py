"""A small hand-built city for the indicator definitions (values computed by hand in
``test_definitions.py``).

Hai'an's real divisions are loaded for every test database; on top of them:

* 拥徐村 (A2) of 海安镇 is merged away on 2023-07-01 (closed by ``valid_to``), its records stay;
* a street (测试街道, valid from 2024-01-01) takes over two villages of 城东镇 (VB1, VB3) on
  2024-01-01 through ``reparent_area``, which records the old parent as an ``AreaVersion``;
* four elderly-care institutions, six community facilities, three childcare providers, staff
  with certificates and trainings, elders (one turning 60 in 2023, one dying, one moving, one
  merged, one moving away), pairs, estates and population facts.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from carecircle.areas.choices import AreaKind, AreaLevel, EstateKind
from carecircle.areas.loaders import reparent_area
from carecircle.areas.models import Area, PopulationFact, ResidentialArea
from carecircle.core import testing as t
from carecircle.core.choices import Domain
from carecircle.institutions.choices import (
    DesignationKind,
    FilingStatus,
    IssuingLevel,
    ProviderKind,
    StaffRole,
)
from carecircle.institutions.models import (
    CapacityRecord,
    Designation,
    Grade,
    InstitutionPair,
    Staff,
    StaffCertificate,
    Training,
)
from carecircle.persons.models import Residence

D = dt.date
K = ProviderKind
CITY = t.CITY
TOWN_A, TOWN_B = t.TOWN_A, t.TOWN_B  # 海安镇 (58 villages, 42 urban), 城东镇 (35, 26 urban)
A1 = t.VILLAGE_A1  # 钟涵村
A2 = t.VILLAGE_A2  # 拥徐村, merged away on 2023-07-01
UA = "320685100001"  # 中坝社区 (urban)
VB1, VB3 = "320685101208", "320685101209"  # move to the street on 2024-01-01
VB2 = "320685101210"  # stays in 城东镇
UB = "320685101001"  # 东城社区 (urban)
STREET = "320685001"
MERGED_ON = D(2023, 7, 1)
STREET_FROM = D(2024, 1, 1)


def _capacity(provider, valid_from, **figures):
    return CapacityRecord.objects.create(provider=provider, valid_from=valid_from, **figures)


def _designation(provider, kind, granted, level=IssuingLevel.COUNTY, revoked=None):
    return Designation.objects.create(
        provider=provider, kind=kind, issuing_level=level, granted_on=granted, revoked_on=revoked
    )


STAFF_BIRTH = D(1980, 3, 3)


def _staff(provider, role, hired, *, left=None, number=None, birth=STAFF_BIRTH):
    staff = Staff(provider=provider, name="王小梅", role=role, hired_on=hired, left_on=left)
    staff.set_id_number(number or t.resident_id(birth=birth, male=False))
    staff.save()
    return staff


def _certificate(staff, issued, *, level="", expires=None, kind="职业技能等级证书"):
    return StaffCertificate.objects.create(
        staff=staff, kind=kind, level=level, issued_on=issued, expires_on=expires
    )


def _facts(code, year, total):
    return PopulationFact.objects.create(
        area=t.area(code),
        year=year,
        total=total,
        male=total // 2,
        female=total - total // 2,
        urban=0,
        rural=total,
    )


def build_world() -> SimpleNamespace:
    w = SimpleNamespace()
    county = t.area(CITY)
    street = Area.objects.create(
        code=STREET,
        name="测试街道",
        level=AreaLevel.TOWNSHIP,
        kind=AreaKind.STREET,
        parent=county,
        path=f"{county.path}{STREET}/",
        depth=county.depth + 1,
        valid_from=STREET_FROM,
    )
    for code in (VB1, VB3):
        reparent_area(t.area(code), parent=street, on=STREET_FROM, reason="测试：设立街道")
    Area.objects.filter(code=A2).update(valid_to=MERGED_ON)

    # Elderly-care institutions.
    w.p1 = t.make_provider(A1, kind=K.PRIVATE_INSTITUTION, name="P1", opened_on=D(2015, 1, 1),
                           has_safety_system=True)  # fmt: skip
    _capacity(w.p1, D(2019, 1, 1), beds_total=100, beds_nursing=40)
    _capacity(w.p1, D(2021, 1, 1), beds_total=100, beds_nursing=50, beds_dementia=10)
    w.p1_bed_record = _capacity(
        w.p1, D(2023, 6, 1), beds_total=120, beds_nursing=90, beds_dementia=20
    )
    Grade.objects.create(provider=w.p1, grade=3, valid_from=D(2022, 3, 1), valid_to=D(2027, 3, 1))
    _designation(w.p1, DesignationKind.ELDERLY_MODEL_INSTITUTION, D(2023, 5, 1),
                 IssuingLevel.PROVINCIAL)  # fmt: skip
    _designation(w.p1, DesignationKind.ELDERLY_MODEL_INSTITUTION, D(2021, 5, 1), IssuingLevel.CITY)
    _designation(w.p1, DesignationKind.ELDERLY_CHILDCARE_INTEGRATION, D(2022, 6, 1))

    w.p2 = t.make_provider(A2, kind=K.RURAL_HOME, name="P2", ownership="public",
                           opened_on=D(2010, 1, 1), houses_disabled_extreme_poor=True)  # fmt: skip
    _capacity(w.p2, D(2021, 1, 1), beds_total=50, beds_nursing=10)
    _capacity(w.p2, D(2023, 9, 1), beds_total=50, beds_nursing=30)

    w.p3 = t.make_provider(VB2, kind=K.NURSING_HOME, name="P3", opened_on=D(2020, 1, 1),
                           has_safety_system=True)  # fmt: skip
    _capacity(w.p3, D(2020, 1, 1), beds_total=40, beds_nursing=36, beds_dementia=4)
    _capacity(w.p3, D(2022, 1, 1), beds_total=40, beds_nursing=36, beds_dementia=10)
    Grade.objects.create(provider=w.p3, grade=2, valid_from=D(2021, 1, 1), valid_to=D(2023, 1, 1))

    w.p4 = t.make_provider(A1, kind=K.PRIVATE_INSTITUTION, name="P4", opened_on=D(2015, 1, 1),
                           closed_on=D(2023, 1, 15), has_safety_system=True)  # fmt: skip
    _capacity(w.p4, D(2021, 1, 1), beds_total=30)

    # Community facilities.
    w.f1 = t.make_provider(UA, kind=K.DAYCARE_CENTRE, name="F1", opened_on=D(2019, 1, 1))
    w.f1.service_areas.add(t.area(A1))
    w.f2 = t.make_provider(VB3, kind=K.COMPREHENSIVE_CENTRE, name="F2", opened_on=D(2020, 1, 1))
    w.f3 = t.make_provider(VB2, kind=K.HOME_CARE_STATION, name="F3", opened_on=D(2018, 1, 1))
    w.f3.service_areas.add(t.area(TOWN_B))
    w.f4 = t.make_provider(A1, kind=K.RURAL_REGIONAL_CENTRE, name="F4", opened_on=D(2021, 1, 1))
    _designation(
        w.f4, DesignationKind.STANDARD_RURAL_CENTRE, D(2023, 2, 1), IssuingLevel.PROVINCIAL
    )
    w.f5 = t.make_provider(VB2, kind=K.RURAL_REGIONAL_CENTRE, name="F5", opened_on=D(2022, 1, 1))
    w.f6 = t.make_provider(UA, kind=K.ELDERLY_UNIVERSITY, name="F6", opened_on=D(2023, 9, 1))

    # Childcare.
    w.k1 = t.make_provider(UA, kind=K.CHILDCARE_STANDALONE, name="K1", opened_on=D(2019, 1, 1),
                           filing_status=FilingStatus.FILED, filed_on=D(2020, 6, 1))  # fmt: skip
    _capacity(w.k1, D(2021, 1, 1), places_total=60)
    _capacity(w.k1, D(2023, 4, 1), places_total=60, places_affordable=30)
    _designation(w.k1, DesignationKind.PROVINCIAL_AFFORDABLE_CHILDCARE, D(2023, 3, 1),
                 IssuingLevel.PROVINCIAL)  # fmt: skip
    _designation(w.k1, DesignationKind.BRAND_CHAIN, D(2022, 1, 1), revoked=D(2023, 6, 30))
    w.k2 = t.make_provider(VB1, kind=K.KINDERGARTEN_CLASS, name="K2", ownership="public",
                           opened_on=D(2019, 9, 1))  # fmt: skip
    _capacity(w.k2, D(2021, 1, 1), places_total=40, places_affordable=40)
    _designation(w.k2, DesignationKind.PROVINCIAL_MODEL_CHILDCARE, D(2022, 5, 1),
                 IssuingLevel.PROVINCIAL)  # fmt: skip
    _designation(w.k2, DesignationKind.HUB_1N, D(2023, 1, 10))
    w.k3 = t.make_provider(UB, kind=K.COMMUNITY_POINT, name="K3", opened_on=D(2022, 3, 1))
    _capacity(w.k3, D(2022, 3, 1), places_total=20, places_affordable=20)

    # Staff.
    R = StaffRole
    _staff(w.p1, R.SOCIAL_WORKER, D(2020, 5, 1))
    _staff(w.p3, R.SOCIAL_WORKER, D(2023, 3, 1))
    _staff(w.f1, R.SOCIAL_WORKER, D(2021, 6, 1), left=D(2023, 2, 1))
    person_x = t.resident_id(birth=D(1975, 1, 1), male=False)
    w.c1 = _staff(w.p1, R.CAREGIVER, D(2021, 3, 1), number=person_x)
    _certificate(w.c1, D(2021, 6, 1), level="5")
    c2 = _staff(w.p1, R.CAREGIVER, D(2018, 1, 1))
    _certificate(c2, D(2019, 5, 1), level="5")
    _certificate(c2, D(2022, 2, 1), level="4")
    c3 = _staff(w.p2, R.CAREGIVER, D(2022, 9, 1), number=person_x)  # C1 also works at P2
    _certificate(c3, D(2022, 10, 1), level="4")
    c4 = _staff(w.p3, R.CAREGIVER, D(2023, 1, 10))
    _certificate(c4, D(2023, 2, 1), kind="健康证")
    _certificate(c4, D(2023, 8, 1), level="5")
    for day in (D(2020, 12, 1), D(2021, 5, 1), D(2023, 2, 1), D(2023, 8, 1)):
        Training.objects.create(staff=w.c1, course="养老护理员岗前培训", attended_on=day)
    Training.objects.create(staff=c4, course="失智老人照护技能培训", attended_on=D(2023, 8, 15))
    t1 = _staff(w.k1, R.CHILDCARE_TEACHER, D(2020, 1, 1))
    _certificate(t1, D(2020, 3, 1), level="4")
    Training.objects.create(staff=t1, course="婴幼儿急救与伤害预防", attended_on=D(2022, 1, 1))
    t2 = _staff(w.k1, R.CHILDCARE_TEACHER, D(2022, 6, 1))
    _certificate(t2, D(2022, 7, 1), level="5", expires=D(2023, 2, 1))
    _staff(w.k1, R.MANAGER, D(2019, 1, 1))
    t3 = _staff(w.k2, R.CHILDCARE_TEACHER, D(2021, 9, 1))
    _certificate(t3, D(2021, 10, 1), level="5")
    w.t2, w.k1_staff = t2, t1

    # Pairs.
    InstitutionPair.objects.create(
        elderly_provider=w.p1, childcare_provider=w.k1, started_on=D(2022, 3, 1)
    )
    InstitutionPair.objects.create(
        elderly_provider=w.p3,
        childcare_provider=w.k2,
        started_on=D(2023, 2, 1),
        ended_on=D(2023, 11, 30),
    )

    # Persons (a residence from 2020-01-01 each).
    w.e1 = t.make_person(A1, birth=D(1950, 5, 17))
    t.make_person(A1, birth=D(1963, 6, 15))  # turns 60 on 2023-06-15
    t.make_person(A2, birth=D(1940, 2, 2))  # lives in the merged village
    t.make_person(VB1, birth=D(1945, 7, 7), death_date=D(2023, 5, 1))
    w.e5 = t.make_person(A1, birth=D(1950, 9, 9))
    Residence.objects.filter(person=w.e5).update(valid_to=D(2023, 2, 1))
    Residence.objects.create(person=w.e5, area=t.area(VB2), valid_from=D(2023, 2, 1))
    t.make_person(A1, birth=D(1948, 1, 1), merged_into=w.e1)
    t.make_person(UA, birth=D(1952, 4, 4), moved_out_on=D(2022, 6, 30))
    t.make_person(A1, birth=D(2022, 3, 1), domain=Domain.CHILDCARE, name="张小宝")

    # Population facts at village level (2022 replaces 2020 from 2022 on).
    for code, (y2020, y2022) in {A1: (1000, 1100), A2: (500, 550), VB1: (800, 900)}.items():
        _facts(code, 2020, y2020)
        _facts(code, 2022, y2022)

    # Estates: elderly-service room per 100 households (new ≥ 30 m², existing ≥ 20 m²).
    def estate(name, code, kind, households, room, delivered):
        ResidentialArea.objects.create(
            name=name, area=t.area(code), kind=kind, households=households,
            elderly_room_m2=room, delivered_on=delivered,
        )  # fmt: skip

    estate("R1", UA, EstateKind.NEW, 200, 60, D(2020, 1, 1))
    estate("R2", UA, EstateKind.NEW, 100, 20, D(2022, 6, 1))
    estate("R3", UB, EstateKind.NEW, 400, 150, D(2023, 5, 1))
    estate("R4", UA, EstateKind.EXISTING, 100, 20, D(1995, 1, 1))
    estate("R5", UB, EstateKind.EXISTING, 100, 10, None)
    return w
