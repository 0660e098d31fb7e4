"""How the demo city develops after the 2022 baseline, so that indicator trends mean something.

From 2023 to the load date the registries change the way the policy asks: general beds are
converted to nursing-type and dementia-care beds, more 普惠 places are offered, institutions are
graded and paired, rural regional centres reach the provincial standard, branches of the
university for the elderly open, staff are hired, certified and trained, new estates are
delivered. Before 2021 every institution's capacity is on record (the base of cumulative bed
counts).

What the 2022 baseline counts is left alone, on 2022-12-31 and today alike: the number of
elderly-care and childcare institutions stays (a kindergarten class moving to a new campus closes
one and opens the other), bed and place totals stay as they are (only their kind changes), the
number of day-care and home-care centres stays 30 (one day-care centre becomes a street's
comprehensive centre), and no provincial or Nantong childcare designation is added. Events after
the load date are not written.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from carecircle.areas.choices import EstateKind
from carecircle.areas.models import Area, ResidentialArea
from carecircle.core import crypto
from carecircle.core.fields import ID_INDEX_PURPOSE, id_number_index
from carecircle.core.idnumbers import mask_id_number
from carecircle.dashboard.stats import CHILDCARE_INSTITUTION_KINDS
from carecircle.demo import names
from carecircle.demo.bulk import demo_rows, demo_uuid
from carecircle.demo.ids import IdIssuer
from carecircle.demo.population import Unit, jitter
from carecircle.demo.providers import ProviderFactory
from carecircle.demo.staff import COURSES, STAFF_ID_PREFIXES, STAFF_PROFILE
from carecircle.institutions.choices import (
    ELDERLY_INSTITUTION_KINDS,
    DesignationKind,
    FilingStatus,
    IssuingLevel,
    Ownership,
    ProviderKind,
    ProviderStatus,
    StaffRole,
)
from carecircle.institutions.models import (
    CapacityRecord,
    Designation,
    Grade,
    InstitutionPair,
    Provider,
    Staff,
    StaffCertificate,
    Training,
)

K = ProviderKind
D = DesignationKind
REFERENCE = dt.date(2022, 12, 31)
BEFORE_2021 = dt.date(2020, 12, 31)
YEARS = (2023, 2024, 2025, 2026)
LIBAO, QUTANG, CHENGDONG = "320685103", "320685102", "320685101"
HAIAN_TOWN, HAIAN_STREET, SUNZHUANG_STREET, HIGH_TECH_ZONE = (
    "320685100",
    "320685001",
    "320685002",
    "320685401",
)
# The three regional centres of the policy (east 李堡, middle 高新区, west 曲塘): host unit,
# opening day, the town served, the day the provincial standard was met.
RURAL_CENTRES = (
    ("海安市李堡区域性养老服务中心", "320685103201", dt.date(2021, 6, 1), LIBAO,
     dt.date(2022, 11, 20)),
    ("海安市曲塘区域性养老服务中心", "320685102201", dt.date(2022, 9, 1), QUTANG,
     dt.date(2023, 12, 15)),
    ("海安市高新区区域性养老服务中心", "320685101209", dt.date(2024, 5, 1), HIGH_TECH_ZONE,
     dt.date(2025, 6, 18)),
)  # fmt: skip
UNIVERSITIES = (
    ("海安市老年大学", HAIAN_TOWN, dt.date(2008, 9, 1)),
    ("海安市老年大学李堡分校", LIBAO, dt.date(2023, 9, 1)),
    ("海安市老年大学曲塘分校", QUTANG, dt.date(2024, 9, 1)),
    ("海安市老年大学城东分校", CHENGDONG, dt.date(2025, 9, 1)),
)
COMMUNITY_POINTS = (
    dt.date(2023, 3, 1),
    dt.date(2024, 6, 1),
    dt.date(2025, 4, 1),
    dt.date(2026, 2, 1),
)
# The towns (and street) the comprehensive centres serve besides their own community.
CENTRE_SERVES = {
    "海安镇": (HAIAN_TOWN, HAIAN_STREET),
    "城东镇": (CHENGDONG,),
    "曲塘镇": (QUTANG,),
    "李堡镇": (LIBAO,),
}
UPGRADE_CLOSED = dt.date(2025, 6, 30)
KINDERGARTEN_MOVED = dt.date(2025, 8, 31)
NEW_PAIRS = {2023: 4, 2024: 5, 2025: 5, 2026: 2}


def _day(rng: random.Random, year: int, first: int = 1, last: int = 12) -> dt.date:
    start = dt.date(year, first, 1)
    end = dt.date(year, last, 28)
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


class Evolution:
    def __init__(self, rng: random.Random, units: list[Unit], issuer: IdIssuer, today: dt.date):
        self.rng = rng
        self.units = {u.code: u for u in units}
        self.unit_list = units
        self.issuer = issuer
        self.today = today
        self.providers = list(demo_rows(Provider).order_by("pk"))
        self.areas = dict(Area.objects.filter(code__startswith="320685").values_list("code", "pk"))
        self.counts: dict[str, int] = {}

    def happened(self, day: dt.date) -> bool:
        return day <= self.today

    def of_kind(self, *kinds) -> list[Provider]:
        return [p for p in self.providers if p.kind in kinds]

    def run(self) -> dict[str, int]:
        self.capacity()
        self.facilities()
        self.designations_and_grades()
        self.pairs()
        self.staff()
        self.estates()
        self.flags()
        return self.counts

    # Capacity -----------------------------------------------------------------------------------

    def capacity(self) -> None:
        rng = self.rng
        latest = {}
        for record in CapacityRecord.objects.filter(provider__in=self.providers).order_by(
            "provider_id", "valid_from"
        ):
            latest.setdefault(record.provider_id, []).append(record)
        dementia_units = set(
            Designation.objects.filter(kind=D.DEMENTIA_CARE_UNIT).values_list(
                "provider_id", flat=True
            )
        )
        new: list[CapacityRecord] = []

        def record(provider, day, note, **figures) -> None:
            if self.happened(day):
                new.append(
                    CapacityRecord(
                        uuid=demo_uuid(rng),
                        provider_id=provider.pk,
                        valid_from=day,
                        note=note,
                        **figures,
                    )
                )

        elderly = self.of_kind(*ELDERLY_INSTITUTION_KINDS)
        for provider in elderly:
            records = latest.get(provider.pk, [])
            if not records:
                continue
            current = records[-1]
            figures = {
                "beds_total": current.beds_total,
                "beds_nursing": current.beds_nursing,
                "beds_dementia": current.beds_dementia,
            }
            # Capacity before 2021 on record (the dementia-care units were built in 2021–2022).
            if provider.opened_on <= BEFORE_2021 and records[0].valid_from > BEFORE_2021:
                before = dict(figures)
                if provider.pk in dementia_units:
                    before["beds_dementia"] = 0
                record(provider, provider.opened_on, "原核定床位", **before)
            # Conversions after the baseline: the total stays, nursing and dementia beds grow.
            total = figures["beds_total"]
            if provider.kind == K.RURAL_HOME:
                steps = [(rng.choice(YEARS[:3]), rng.uniform(0.5, 0.7), 0.0)]
            elif provider.kind == K.WELFARE_HOME:
                steps = [(2023, 0.6, 0.04), (2025, 0.72, 0.08)]
            elif rng.random() < 0.8:
                steps = [(rng.choice(YEARS[:2]), rng.uniform(0.65, 0.85), rng.uniform(0.03, 0.08))]
                if rng.random() < 0.5:
                    steps.append((rng.choice(YEARS[2:]), rng.uniform(0.85, 0.95), 0.04))
            else:
                steps = []
            for year, nursing_share, dementia_add in steps:
                figures = dict(figures)
                figures["beds_nursing"] = max(figures["beds_nursing"], round(total * nursing_share))
                figures["beds_dementia"] = min(
                    total, figures["beds_dementia"] + round(total * dementia_add)
                )
                record(provider, _day(rng, year), f"{year}年床位改造", **figures)

        # More 普惠 places in private institutions; the number of places stays.
        childcare = [
            p
            for p in self.of_kind(*CHILDCARE_INSTITUTION_KINDS)
            if p.ownership == Ownership.PRIVATE and latest.get(p.pk)
        ]
        for provider in rng.sample(childcare, min(len(childcare), 22)):
            current = latest[provider.pk][-1]
            if current.places_total == 0:
                continue
            share = rng.uniform(0.55, 1.0)
            affordable = max(current.places_affordable, round(current.places_total * share))
            record(
                provider,
                _day(rng, rng.choice(YEARS)),
                "转为普惠托位",
                places_total=current.places_total,
                places_affordable=affordable,
            )
        self.latest = latest
        self.capacity_new = new

    # New facilities -----------------------------------------------------------------------------

    def facilities(self) -> None:
        rng = self.rng
        factory = ProviderFactory(rng, self.unit_list)
        factory.codes.used |= {p.credit_code for p in self.providers}
        service: list[tuple[Provider, str]] = []
        capacity: list[CapacityRecord] = self.capacity_new
        designations: list[Designation] = []

        for name, host, opened, town, standard in RURAL_CENTRES:
            if not self.happened(opened):
                continue
            centre = factory.add(
                name,
                K.RURAL_REGIONAL_CENTRE,
                Ownership.PUBLIC_BUILT_PRIVATE_RUN,
                self._unit(host),
                opened,
                has_smoke_detectors=True,
                has_safety_system=True,
            )
            service.append((centre, town))
            if self.happened(standard):
                designations.append(
                    self._designation(
                        centre, D.STANDARD_RURAL_CENTRE, IssuingLevel.PROVINCIAL, standard
                    )
                )
        for name, town, opened in UNIVERSITIES:
            if self.happened(opened):
                host = self._first_unit(town, urban=True)
                factory.add(name, K.ELDERLY_UNIVERSITY, Ownership.PUBLIC, host, opened)

        # A street's day-care centre becomes the street's comprehensive centre.
        daycare = sorted(
            self.of_kind(K.DAYCARE_CENTRE), key=lambda p: (not self._in_sunzhuang(p), p.area_id)
        )
        opened = UPGRADE_CLOSED + dt.timedelta(days=1)
        if daycare and self.happened(opened):
            old = daycare[0]
            host = old.area.code if self._in_sunzhuang(old) else "320685100030"
            upgraded = factory.add(
                "孙庄街道综合性养老服务中心",
                K.COMPREHENSIVE_CENTRE,
                Ownership.PUBLIC_BUILT_PRIVATE_RUN,
                host,
                opened,
                has_smoke_detectors=True,
                has_safety_system=True,
            )
            service.append((upgraded, SUNZHUANG_STREET))
            Provider.objects.filter(pk=old.pk).update(
                closed_on=UPGRADE_CLOSED, status=ProviderStatus.CLOSED
            )
            Staff.objects.filter(provider=old, left_on__isnull=True).update(left_on=UPGRADE_CLOSED)

        # A kindergarten class of the city centre moves to a new campus in what is left of 海安镇
        # after the streets took over its communities (its places, now partly 普惠, move along).
        moving = self._kindergarten_to_move()
        opened = KINDERGARTEN_MOVED + dt.timedelta(days=1)
        self.moved_kindergarten = None
        if moving is not None and self.happened(opened):
            current = self.latest[moving.pk][-1]
            campus = factory.add(
                moving.name.replace("托班", "新校区托班"),
                K.KINDERGARTEN_CLASS,
                moving.ownership,
                self._first_unit(HAIAN_TOWN, urban=False),
                opened,
                filing_status=FilingStatus.FILED,
                filed_on=opened,
                service_modes=moving.service_modes,
                monthly_fee=moving.monthly_fee,
            )
            total = current.places_total
            capacity.append(
                CapacityRecord(
                    uuid=demo_uuid(rng),
                    provider=campus,
                    valid_from=opened,
                    places_total=total,
                    places_affordable=max(current.places_affordable, round(total * 0.6)),
                    note="新校区托位",
                )
            )
            Provider.objects.filter(pk=moving.pk).update(
                closed_on=KINDERGARTEN_MOVED, status=ProviderStatus.CLOSED
            )
            self.moved_kindergarten = (moving, campus)

        # Community childcare points (托育点, not institutions) in urban communities without one.
        served = {p.area_id for p in self.of_kind(*CHILDCARE_INSTITUTION_KINDS)}
        empty = [u for u in self.unit_list if u.is_urban and u.id not in served]
        for opened, unit in zip(
            COMMUNITY_POINTS, rng.sample(empty, len(COMMUNITY_POINTS)), strict=True
        ):
            if not self.happened(opened):
                continue
            point = factory.add(
                f"{names.area_stem(unit.name)}社区托育点",
                K.COMMUNITY_POINT,
                Ownership.PUBLIC_BUILT_PRIVATE_RUN,
                unit.code,
                opened,
                filing_status=FilingStatus.FILED,
                filed_on=opened,
                service_modes=["full_day", "hourly"],
                monthly_fee=Decimal("980.00"),
            )
            places = rng.randrange(15, 31)
            capacity.append(
                CapacityRecord(
                    uuid=demo_uuid(rng),
                    provider=point,
                    valid_from=opened,
                    places_total=places,
                    places_affordable=places,
                    note="社区托育点托位",
                )
            )

        Provider.objects.bulk_create(factory.providers, batch_size=500)
        if self.moved_kindergarten is not None:
            self._move_staff(*self.moved_kindergarten, on=KINDERGARTEN_MOVED)
        for record in capacity:
            if record.provider_id is None:
                record.provider_id = record.provider.pk
        for designation in designations:
            designation.provider_id = designation.provider.pk
        CapacityRecord.objects.bulk_create(capacity, batch_size=500)
        self.designations_new = designations
        self.providers = list(demo_rows(Provider).order_by("pk"))

        # Service areas: centres serve their town or street (the 海安镇 centre also 海安街道, which
        # took over part of 海安镇 in 2024), home-care stations their neighbouring villages.
        for centre in self.of_kind(K.COMPREHENSIVE_CENTRE):
            for prefix, codes in CENTRE_SERVES.items():
                if centre.name.startswith(prefix):
                    service += [(centre, code) for code in codes]
        # Childcare: the public 城东 institution serves 高新区 (carved out of 城东镇 in 2024).
        for provider in self.of_kind(K.CHILDCARE_STANDALONE):
            if provider.name == "海安市城东公办托育园":
                service.append((provider, HIGH_TECH_ZONE))
        units = sorted(self.unit_list, key=lambda u: u.code)
        for station in self.of_kind(K.HOME_CARE_STATION):
            code = station.area.code
            town = [u for u in units if u.town_code == code[:9] and not u.is_urban]
            index = next((i for i, u in enumerate(town) if u.code == code), None)
            if index is None:
                continue
            for neighbour in town[max(0, index - 1) : index + 2]:
                if neighbour.code != code:
                    service.append((station, neighbour.code))
        link = Provider.service_areas.through
        rows = {(p.pk, self.areas[code]) for p, code in service if code in self.areas}
        link.objects.bulk_create([link(provider_id=p, area_id=a) for p, a in sorted(rows)])
        self.counts.update(
            evolution_providers=len(factory.providers),
            evolution_capacity_records=len(capacity),
            service_areas=len(rows),
        )

    def _kindergarten_to_move(self) -> Provider | None:
        """A private kindergarten class in 海安镇's communities without any designation."""
        designated = set(Designation.objects.values_list("provider_id", flat=True))
        candidates = [
            p
            for p in self.of_kind(K.KINDERGARTEN_CLASS)
            if p.ownership == Ownership.PRIVATE
            and p.pk not in designated
            and p.pk in self.latest
            and HAIAN_TOWN + "001" <= self._code(p.area_id) <= HAIAN_TOWN + "042"
        ]
        return min(candidates, key=lambda p: (self._code(p.area_id), p.pk), default=None)

    def _move_staff(self, old: Provider, new: Provider, on: dt.date) -> None:
        """The staff on duty move along: they leave the old campus and join the new one with
        their certificates."""
        moved = list(Staff.objects.filter(provider=old, left_on__isnull=True))
        Staff.objects.filter(pk__in=[s.pk for s in moved]).update(left_on=on)
        certificates = {}
        for certificate in StaffCertificate.objects.filter(staff__in=moved).order_by("pk"):
            certificates.setdefault(certificate.staff_id, []).append(certificate)
        copies = []
        for person in moved:
            old_pk = person.pk
            person.pk = None
            person.uuid = demo_uuid(self.rng)
            person.provider_id = new.pk
            person.hired_on = on + dt.timedelta(days=1)
            person.left_on = None
            person._state.adding = True
            copies.append((old_pk, person))
        Staff.objects.bulk_create([person for _old, person in copies])
        carried = []
        for old_pk, person in copies:
            for certificate in certificates.get(old_pk, []):
                certificate.pk = None
                certificate.uuid = demo_uuid(self.rng)
                certificate.staff_id = person.pk
                certificate._state.adding = True
                carried.append(certificate)
        StaffCertificate.objects.bulk_create(carried)

    def _unit(self, code: str) -> str:
        return code if code in self.units else self._first_unit(code[:9], urban=False)

    def _first_unit(self, town: str, *, urban: bool) -> str:
        inside = sorted(
            u.code for u in self.unit_list if u.town_code == town and u.is_urban == urban
        )
        inside = inside or sorted(u.code for u in self.unit_list if u.town_code == town)
        return inside[0]

    def _in_sunzhuang(self, provider: Provider) -> bool:
        code = self._code(provider.area_id)
        return HAIAN_TOWN + "018" <= code <= HAIAN_TOWN + "042"

    def _code(self, area_id: int) -> str:
        return next((u.code for u in self.unit_list if u.id == area_id), "")

    def _designation(self, provider, kind: str, level: str, granted: dt.date) -> Designation:
        return Designation(
            uuid=demo_uuid(self.rng),
            provider=provider,
            kind=kind,
            issuing_level=level,
            granted_on=granted,
        )

    # Designations, grades -----------------------------------------------------------------------

    def designations_and_grades(self) -> None:
        rng = self.rng
        designations = self.designations_new
        welfare = self.of_kind(K.WELFARE_HOME)
        for provider in welfare[:1]:
            designations.append(
                self._designation(
                    provider,
                    D.ELDERLY_MODEL_INSTITUTION,
                    IssuingLevel.PROVINCIAL,
                    dt.date(2024, 11, 20),
                )
            )
        held = set(Designation.objects.values_list("provider_id", "kind"))
        private = [
            p
            for p in self.of_kind(K.CHILDCARE_STANDALONE)
            if p.ownership == Ownership.PRIVATE
            and (p.pk, D.PROVINCIAL_AFFORDABLE_CHILDCARE) not in held
        ]
        brands = rng.sample(private, 2)
        designations += [
            self._designation(brands[0], D.BRAND_CHAIN, IssuingLevel.COUNTY, dt.date(2023, 10, 10)),
            self._designation(brands[1], D.BRAND_CHAIN, IssuingLevel.COUNTY, dt.date(2025, 5, 20)),
        ]
        hubs = [p for p in self.of_kind(K.CHILDCARE_STANDALONE) if p.ownership == Ownership.PUBLIC]
        hubs += [
            p
            for p in self.of_kind(K.CHILDCARE_STANDALONE)
            if (p.pk, D.PROVINCIAL_MODEL_CHILDCARE) in held
        ]
        for provider, granted in zip(
            hubs[:1] + hubs[-1:], (dt.date(2024, 3, 1), dt.date(2025, 3, 1)), strict=False
        ):
            designations.append(self._designation(provider, D.HUB_1N, IssuingLevel.COUNTY, granted))
        designations = [d for d in designations if self.happened(d.granted_on)]
        for designation in designations:
            designation.provider_id = designation.provider.pk
        Designation.objects.bulk_create(designations)

        graded = set(Grade.objects.values_list("provider_id", flat=True))
        ungraded = [p for p in self.of_kind(*ELDERLY_INSTITUTION_KINDS) if p.pk not in graded]
        grades = []
        for provider in rng.sample(ungraded, min(len(ungraded), 12)):
            start = _day(rng, rng.choice(YEARS))
            if not self.happened(start):
                continue
            grade = (
                1 if provider.kind == K.RURAL_HOME and rng.random() < 0.6 else rng.choice((2, 3))
            )
            grades.append(
                Grade(
                    uuid=demo_uuid(rng),
                    provider_id=provider.pk,
                    grade=grade,
                    valid_from=start,
                    valid_to=start.replace(year=start.year + 5),
                    assessed_by="南通市养老机构等级评定委员会" if grade >= 3 else "海安市民政局",
                )
            )
        Grade.objects.bulk_create(grades)
        self.counts.update(evolution_designations=len(designations), evolution_grades=len(grades))

    # Pairs --------------------------------------------------------------------------------------

    def pairs(self) -> None:
        rng = self.rng
        existing = list(
            InstitutionPair.objects.values_list("elderly_provider_id", "childcare_provider_id")
        )
        paired_elderly = {e for e, _c in existing}
        paired_childcare = {c for _e, c in existing}
        elderly = [
            p for p in self.of_kind(*ELDERLY_INSTITUTION_KINDS) if p.pk not in paired_elderly
        ]
        childcare = [
            p
            for p in self.of_kind(*CHILDCARE_INSTITUTION_KINDS)
            if p.pk not in paired_childcare and p.closed_on is None
        ]
        rng.shuffle(elderly)
        pairs = []
        designations = []
        sites: set[int] = set()
        for year, n in NEW_PAIRS.items():
            for _ in range(n):
                if not elderly or not childcare:
                    break
                e = elderly.pop()
                c = min(childcare, key=lambda c, e=e: _distance2(e, c))
                childcare.remove(c)
                started = _day(rng, year)
                if not self.happened(started):
                    continue
                pairs.append(
                    InstitutionPair(
                        uuid=demo_uuid(rng),
                        elderly_provider_id=e.pk,
                        childcare_provider_id=c.pk,
                        started_on=started,
                    )
                )
                # The first new pair of 2023 and of 2024 become 老幼融合 demonstration sites a
                # year later.
                site = started + dt.timedelta(days=365)
                if year in (2023, 2024) and year not in sites and self.happened(site):
                    sites.add(year)
                    designations.append(
                        Designation(
                            uuid=demo_uuid(rng),
                            provider_id=e.pk,
                            kind=D.ELDERLY_CHILDCARE_INTEGRATION,
                            issuing_level=IssuingLevel.COUNTY,
                            granted_on=site,
                        )
                    )
        InstitutionPair.objects.bulk_create(pairs)
        Designation.objects.bulk_create(designations)
        self.counts["evolution_pairs"] = len(pairs)

    # Staff --------------------------------------------------------------------------------------

    def staff(self) -> None:
        rng = self.rng
        elderly = [
            p
            for p in self.of_kind(
                *ELDERLY_INSTITUTION_KINDS, K.COMPREHENSIVE_CENTRE, K.RURAL_REGIONAL_CENTRE
            )
        ]
        childcare = self.of_kind(*CHILDCARE_INSTITUTION_KINDS)
        hires: list[tuple[Staff, str]] = []

        def hire(provider: Provider, role: str, year: int) -> None:
            hired = _day(rng, year)
            if hired < provider.opened_on or not self.happened(hired):
                return
            if provider.closed_on and hired >= provider.closed_on:
                return
            (first, last), female_share, _cert, levels = STAFF_PROFILE[role]
            male = rng.random() >= female_share
            birth = dt.date(
                rng.randrange(first, last + 1), rng.randrange(1, 13), rng.randrange(1, 29)
            )
            number = self.issuer.issue(rng.choice(STAFF_ID_PREFIXES), birth, male)
            level = rng.choice(levels[:4]) if levels else ""
            person = Staff(
                uuid=demo_uuid(rng),
                provider_id=provider.pk,
                name=names.full_name(rng, birth.year, male),
                sex="M" if male else "F",
                birth_date=birth,
                phone=names.mobile(rng),
                role=role,
                skill_level=level,
                hired_on=hired,
                id_number_encrypted=crypto.encrypt(number, context=ID_INDEX_PURPOSE),
                id_number_index=id_number_index(number),
                id_number_masked=mask_id_number(number),
            )
            hires.append((person, "childcare" if provider.domain == "childcare" else "elderly"))

        weights = [max(1, self._beds(p)) for p in elderly]
        for year in YEARS:
            for provider in rng.choices(elderly, weights=weights, k=rng.randrange(35, 46)):
                hire(provider, StaffRole.CAREGIVER, year)
            for provider in rng.sample(elderly, rng.randrange(3, 6)):
                hire(provider, StaffRole.SOCIAL_WORKER, year)
            for provider in rng.sample(childcare, rng.randrange(10, 16)):
                hire(provider, StaffRole.CHILDCARE_TEACHER, year)
        Staff.objects.bulk_create([s for s, _d in hires], batch_size=1000)

        certificates = []
        for person, _domain in hires:
            _years, _share, kind, _levels = STAFF_PROFILE[person.role]
            if not kind or rng.random() >= 0.85:
                continue
            issued = person.hired_on + dt.timedelta(days=rng.randrange(30, 270))
            if not self.happened(issued):
                continue
            certificates.append(
                StaffCertificate(
                    uuid=demo_uuid(rng),
                    staff_id=person.pk,
                    kind=kind,
                    number=f"{rng.randrange(10**11, 10**12)}",
                    level=person.skill_level
                    if person.role in (StaffRole.CAREGIVER, StaffRole.CHILDCARE_TEACHER)
                    else "",
                    issued_on=issued,
                )
            )
        StaffCertificate.objects.bulk_create(certificates, batch_size=1000)

        # Some staff leave; everyone employed takes courses every year.
        everyone = list(
            Staff.objects.filter(provider__in=self.providers).values_list(
                "pk", "provider__domain", "hired_on", "left_on"
            )
        )
        leaving = []
        for pk, _domain, hired, left in everyone:
            if left is None and rng.random() < 0.08:
                day = max(hired + dt.timedelta(days=30), _day(rng, rng.choice(YEARS)))
                if self.happened(day):
                    leaving.append((pk, day))
        for pk, day in leaving:
            Staff.objects.filter(pk=pk).update(left_on=day)
        left_on = dict(leaving)
        trainings = []
        for year in YEARS:
            for pk, domain, hired, left in everyone:
                left = left or left_on.get(pk)
                if rng.random() >= (0.25 if domain == "elderly" else 0.3):
                    continue
                day = _day(rng, year)
                if day < hired or (left and day >= left) or not self.happened(day):
                    continue
                trainings.append(
                    Training(
                        uuid=demo_uuid(rng),
                        staff_id=pk,
                        course=rng.choice(COURSES[domain]),
                        attended_on=day,
                        hours=Decimal(rng.choice((4, 8, 8, 16, 24))),
                        organiser="海安市卫生健康委员会"
                        if domain == "childcare"
                        else "海安市民政局",
                    )
                )
        Training.objects.bulk_create(trainings, batch_size=1000)
        self.counts.update(
            evolution_hires=len(hires),
            evolution_certificates=len(certificates),
            evolution_trainings=len(trainings),
            evolution_leavers=len(leaving),
        )

    def _beds(self, provider: Provider) -> int:
        record = provider.capacity_on(REFERENCE)
        return record.beds_total if record else 10

    # Estates and flags --------------------------------------------------------------------------

    def estates(self) -> None:
        rng = self.rng
        taken = set(ResidentialArea.objects.values_list("area_id", "name"))
        urban = [u for u in self.unit_list if u.is_urban]
        estates = []
        for year in YEARS:
            for _ in range(3):
                unit = rng.choice(urban)
                name = names.estate_name(rng, names.area_stem(unit.name))
                delivered = _day(rng, year)
                if (unit.id, name) in taken or not self.happened(delivered):
                    continue
                taken.add((unit.id, name))
                households = rng.randrange(300, 1800)
                factor = rng.uniform(1.0, 1.4) if rng.random() < 0.85 else rng.uniform(0.5, 0.9)
                lat, lon = jitter(rng, unit.latitude, unit.longitude, 0.005)
                estates.append(
                    ResidentialArea(
                        uuid=demo_uuid(rng),
                        name=name,
                        area_id=unit.id,
                        kind=EstateKind.NEW,
                        households=households,
                        elderly_room_m2=Decimal(f"{households / 100 * 30 * factor:.1f}"),
                        childcare_room_m2=Decimal(f"{households / 100 * 20 * factor:.1f}"),
                        delivered_on=delivered,
                        address=f"{names.area_stem(unit.name)}社区",
                        latitude=lat,
                        longitude=lon,
                    )
                )
        ResidentialArea.objects.bulk_create(estates)
        self.counts["evolution_estates"] = len(estates)

    def flags(self) -> None:
        """Filings after the baseline, and rural homes still to join the safety system."""
        rng = self.rng
        unfiled = [
            p
            for p in self.of_kind(*CHILDCARE_INSTITUTION_KINDS)
            if p.filing_status == FilingStatus.NOT_FILED
        ]
        for provider, year in zip(unfiled, (2024, 2025), strict=False):
            day = _day(rng, year)
            if self.happened(day):
                Provider.objects.filter(pk=provider.pk).update(
                    filing_status=FilingStatus.FILED, filed_on=day
                )
        rural = self.of_kind(K.RURAL_HOME)
        offline = [p.pk for p in rng.sample(rural, min(3, len(rural)))]
        Provider.objects.filter(Q(pk__in=offline)).update(has_safety_system=False)


def _distance2(a: Provider, b: Provider) -> float:
    return float(a.latitude - b.latitude) ** 2 + float(a.longitude - b.longitude) ** 2


def evolve(rng: random.Random, units: list[Unit], issuer: IdIssuer, today: dt.date | None = None):
    """Write the development from 2023 to ``today`` (default: the load date)."""
    return Evolution(rng, units, issuer, today or timezone.localdate()).run()
