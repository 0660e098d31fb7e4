"""Demo persons: every elder (60+) and child under 3 of the population facts, times ``scale``.

Per village the number of elders is ``round(aged_60_plus × scale)``, split into 60–64, 65–79 and
80+ like the village's facts; children ``round(under_3 × scale)``. Everyone is alive and present
on the reference date — the day the demo is loaded, so the live demo always has children under 3.
Rows are written in bulk with precomputed encrypted IDs, blind
indexes and masks; no ``save()``, no history rows.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import accumulate

from django.utils import timezone

from carecircle.core import crypto
from carecircle.core.bulk import allocate_ids
from carecircle.core.dates import add_years, years_before
from carecircle.core.fields import ID_INDEX_PURPOSE, id_number_index
from carecircle.core.idnumbers import mask_id_number
from carecircle.demo import names
from carecircle.demo.bulk import BulkWriter, demo_uuid, reset_sequences
from carecircle.demo.ids import IdIssuer
from carecircle.demo.population import Unit, apportion, jitter
from carecircle.demo.providers import TOWN_NAMES, Built
from carecircle.institutions.choices import BedKind, ProviderKind
from carecircle.institutions.models import Residency
from carecircle.persons.choices import (
    ContactRelation,
    DisabilityKind,
    HardshipKind,
    LivingArrangement,
)
from carecircle.persons.models import Contact, HardshipFlag, Person, Residence

# Age bands 60–64, 65–79, 80+: ages and their relative frequency within the band.
BAND_AGES = (
    tuple(range(60, 65)),
    tuple(range(65, 80)),
    tuple(range(80, 105)),
)
BAND_CUM = (
    tuple(accumulate(1.0 for _ in BAND_AGES[0])),
    tuple(accumulate(0.97 ** (a - 65) for a in BAND_AGES[1])),
    tuple(accumulate(0.86 ** (a - 80) for a in BAND_AGES[2])),
)
MALE_SHARE = (0.49, 0.47, 0.38)
PHONE_SHARE = (0.9, 0.75, 0.45)
LIVING = (  # alone, spouse only, with family
    (0.07, 0.40, 0.53),
    (0.12, 0.42, 0.46),
    (0.20, 0.25, 0.55),
)
LIVING_VALUES = (
    LivingArrangement.ALONE,
    LivingArrangement.SPOUSE_ONLY,
    LivingArrangement.WITH_FAMILY,
)
LIVING_CUM = tuple(tuple(accumulate(shares)) for shares in LIVING)
# Hardship flags: (kind, probability per band, first year recognised).
FLAGS = (
    (HardshipKind.DISABLED, (0.015, 0.035, 0.10), 2018),
    (HardshipKind.DEMENTIA, (0.003, 0.01, 0.05), 2018),
    (HardshipKind.NEAR_MINIMUM, (0.006, 0.006, 0.006), 2016),
    (HardshipKind.ECONOMIC_HARDSHIP, (0.01, 0.01, 0.01), 2016),
    (HardshipKind.FAMILY_PLANNING_SPECIAL, (0.004, 0.003, 0.0), 2014),
)
EXTREME_POVERTY = 0.005
MINIMUM_LIVING = 0.02
DISABILITY_KINDS = (
    DisabilityKind.PHYSICAL, DisabilityKind.HEARING, DisabilityKind.VISUAL, DisabilityKind.MENTAL,
    DisabilityKind.MULTIPLE, DisabilityKind.INTELLECTUAL, DisabilityKind.SPEECH,
)  # fmt: skip
DISABILITY_CUM = tuple(accumulate((40, 25, 20, 5, 5, 3, 2)))

PERSON_FIELDS = (
    "id", "uuid", "created_at", "updated_at", "id_number_encrypted", "id_number_index",
    "id_number_masked", "domain", "name", "birth_date", "sex", "area_id", "address", "latitude",
    "longitude", "phone", "living_arrangement", "disability_kind", "disability_grade",
    "death_date", "moved_out_on", "merged_into_id",
)  # fmt: skip
RESIDENCE_FIELDS = ("uuid", "created_at", "updated_at", "person_id", "area_id", "address",
                    "valid_from", "valid_to")  # fmt: skip
FLAG_FIELDS = ("uuid", "created_at", "updated_at", "person_id", "kind", "valid_from", "valid_to",
               "note")  # fmt: skip
CONTACT_FIELDS = ("uuid", "created_at", "updated_at", "person_id", "relation", "relationship",
                  "name_encrypted", "phone_encrypted", "name_masked", "phone_masked")  # fmt: skip
RESIDENCY_FIELDS = ("uuid", "created_at", "updated_at", "provider_id", "person_id", "admitted_on",
                    "discharged_on", "bed_kind")  # fmt: skip


@dataclass
class PeopleResult:
    elders: int = 0
    elders_80_plus: int = 0
    children: int = 0
    residences: int = 0
    hardship_flags: int = 0
    contacts: int = 0
    residencies: int = 0
    elders_by_unit: Counter = field(default_factory=Counter)
    residents_by_provider: Counter = field(default_factory=Counter)


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def plan_residents(
    rng: random.Random, units: list[Unit], elders: dict[int, int], institutions: list[Built],
    scale: float,
) -> dict[int, list[Built]]:  # fmt: skip
    """How many elders of each village live in which institution (occupancy below capacity).

    Rural homes take elders of their own town, the welfare home those of the two central towns,
    private institutions and nursing homes their town's and the city centre's."""
    left = {u.id: elders[u.id] // 6 for u in units}
    by_town: dict[str, list[Unit]] = defaultdict(list)
    for unit in units:
        by_town[unit.town_code].append(unit)
    plan: dict[int, list[Built]] = defaultdict(list)
    for inst in institutions:
        if inst.kind == ProviderKind.WELFARE_HOME:
            candidates = by_town["320685100"] + by_town["320685101"]
            occupancy = rng.uniform(0.7, 0.85)
        elif inst.kind == ProviderKind.RURAL_HOME:
            candidates = by_town[inst.town_code]
            occupancy = rng.uniform(0.45, 0.7)
        else:
            candidates = by_town[inst.town_code] + (
                by_town["320685100"] if inst.town_code != "320685100" else []
            )
            occupancy = rng.uniform(0.55, 0.85)
        wanted = int(inst.beds * occupancy * scale + 0.5)
        for _ in range(wanted):
            open_units = [u for u in candidates if left[u.id] > 0]
            if not open_units:
                break
            unit = rng.choices(open_units, weights=[left[u.id] for u in open_units])[0]
            left[unit.id] -= 1
            plan[unit.id].append(inst)
    return plan


class PeopleWriter:
    def __init__(
        self,
        rng: random.Random,
        issuer: IdIssuer,
        estates: dict[int, list[str]],
        reference: dt.date,
    ):
        self.reference = reference
        # Under 36 months on the reference date: born after the same day three years earlier.
        self.child_birth_start = years_before(reference, 3) + dt.timedelta(days=1)
        self.rng = rng
        self.issuer = issuer
        self.estates = estates
        self.now = timezone.now()
        self.persons = BulkWriter(Person, PERSON_FIELDS)
        # Rows pointing at persons write the pending persons first.
        self.residences = BulkWriter(Residence, RESIDENCE_FIELDS, parent=self.persons)
        self.flags = BulkWriter(HardshipFlag, FLAG_FIELDS, parent=self.persons)
        self.contacts = BulkWriter(Contact, CONTACT_FIELDS, parent=self.persons)
        self.residencies = BulkWriter(Residency, RESIDENCY_FIELDS, parent=self.persons)
        self.contact_helper = Contact()
        self.beds_left: dict[int, list[int]] = {}
        self.result = PeopleResult()

    def flush(self) -> None:
        # Parents before children: persons first, then the rows that point at them.
        for writer in (self.persons, self.residences, self.flags, self.contacts, self.residencies):
            writer.flush()

    def _address(self, unit: Unit) -> str:
        rng = self.rng
        town = TOWN_NAMES.get(unit.town_code, "")
        stem = names.area_stem(unit.name)
        estates = self.estates.get(unit.id)
        if unit.is_urban and estates:
            return (
                f"海安市{town}{rng.choice(estates)}{rng.randrange(1, 40)}幢"
                f"{rng.randrange(1, 4)}单元{rng.randrange(1, 19)}0{rng.randrange(1, 5)}室"
            )
        if unit.is_urban:
            return f"海安市{town}{stem}社区{rng.randrange(1, 300)}号"
        return f"海安市{town}{stem}村{rng.randrange(1, 25)}组{rng.randrange(1, 80)}号"

    def _person(self, pk, unit, domain, name, birth, male, number, address, point, **extra):
        lat, lon = point
        self.persons.add(
            (
                pk, demo_uuid(self.rng), self.now, self.now,
                crypto.encrypt(number, context=ID_INDEX_PURPOSE), id_number_index(number),
                mask_id_number(number), domain, name, birth, "M" if male else "F", unit.id,
                address, lat, lon, extra.get("phone", ""),
                extra.get("living", LivingArrangement.UNKNOWN), extra.get("disability_kind", ""),
                extra.get("disability_grade"), None, None, None,
            )
        )  # fmt: skip
        self.residences.add(
            (demo_uuid(self.rng), self.now, self.now, pk, unit.id, address,
             extra.get("since", birth), None)
        )  # fmt: skip

    def _contact(self, person_pk: int, relation: str, relationship: str, name: str, phone: str):
        helper = self.contact_helper
        helper.set_details(name, phone)
        self.contacts.add(
            (demo_uuid(self.rng), self.now, self.now, person_pk, relation, relationship,
             helper.name_encrypted, helper.phone_encrypted, helper.name_masked, helper.phone_masked)
        )  # fmt: skip
        self.result.contacts += 1

    def elders(self, unit: Unit, count: int, ids, residents: list[Built]) -> None:
        rng = self.rng
        facts = unit.facts
        bands = apportion(
            count,
            [
                facts["aged_60_plus"] - facts["aged_65_plus"],
                facts["aged_65_plus"] - facts["aged_80_plus"],
                facts["aged_80_plus"],
            ],
        ) if count else [0, 0, 0]  # fmt: skip
        generated = []  # (pk, birth, band, flags, row-building kwargs)
        for band, n in enumerate(bands):
            for _ in range(n):
                age = names.pick(rng, BAND_AGES[band], BAND_CUM[band])
                birth = years_before(self.reference, age) - dt.timedelta(days=rng.randrange(365))
                male = rng.random() < MALE_SHARE[band]
                flags = [kind for kind, p, _y in FLAGS if rng.random() < p[band]]
                roll = rng.random()
                if roll < EXTREME_POVERTY:
                    flags.append(HardshipKind.EXTREME_POVERTY)
                elif roll < EXTREME_POVERTY + MINIMUM_LIVING:
                    flags.append(HardshipKind.MINIMUM_LIVING)
                generated.append((next(ids), birth, band, male, flags))
        chosen = self._pick_residents(generated, residents)
        for pk, birth, band, male, flags in generated:
            inst = chosen.get(pk)
            if inst is not None:
                living = LivingArrangement.INSTITUTION
            elif HardshipKind.EXTREME_POVERTY in flags:
                living = (
                    LivingArrangement.ALONE if rng.random() < 0.7 else LivingArrangement.WITH_FAMILY
                )
            else:
                living = names.pick(rng, LIVING_VALUES, LIVING_CUM[band])
            family = names.surname(rng)
            name = family + names.given_name(rng, birth.year, male)
            prefix = "320621" if rng.random() < 0.85 else "320685"
            number = self.issuer.issue(prefix, birth, male)
            disabled = HardshipKind.DISABLED in flags
            certified = rng.random() < (0.4 if disabled else 0.03)
            extra = {
                "phone": names.mobile(rng) if rng.random() < PHONE_SHARE[band] else "",
                "living": living,
                "since": _date_between(rng, max(add_years(birth, 22), dt.date(1985, 1, 1)),
                                       dt.date(2020, 12, 31)),
            }  # fmt: skip
            if certified:
                extra["disability_kind"] = rng.choices(
                    DISABILITY_KINDS, cum_weights=DISABILITY_CUM
                )[0]
                extra["disability_grade"] = rng.choices((1, 2, 3, 4), weights=(10, 20, 30, 40))[0]
            point = jitter(rng, unit.latitude, unit.longitude, 0.005 if unit.is_urban else 0.012)
            self._person(pk, unit, "elderly", name, birth, male, number, self._address(unit), point,
                         **extra)  # fmt: skip
            turned_60 = add_years(birth, 60)
            for kind in flags:
                first = next((y for k, _p, y in FLAGS if k == kind), 2014)
                since = _date_between(rng, max(turned_60, dt.date(first, 1, 1)), self.reference)
                self.flags.add((demo_uuid(rng), self.now, self.now, pk, kind, since, None, ""))
                self.result.hardship_flags += 1
            if living == LivingArrangement.ALONE:
                son = rng.random() < 0.55
                child_birth = add_years(birth, rng.randrange(22, 34)).year
                child = names.full_name(rng, child_birth, son, family if son else None)
                self._contact(pk, ContactRelation.EMERGENCY, "儿子" if son else "女儿", child,
                              names.mobile(rng))  # fmt: skip
            if inst is not None:
                self._residency(pk, inst, birth, flags)
            self.result.elders += 1
            self.result.elders_80_plus += band == 2
            self.result.elders_by_unit[unit.id] += 1

    def _pick_residents(self, generated, residents: list[Built]) -> dict[int, Built]:
        """The village's elders living in an institution: a weighted sample without
        replacement (older, disabled, demented and extreme-poverty elders more likely)."""
        if not residents or not generated:
            return {}
        rng = self.rng
        keyed = []
        for pk, _birth, band, _male, flags in generated:
            weight = 1.0 + 3.0 * (band == 2) + 4.0 * (HardshipKind.DISABLED in flags)
            weight += 4.0 * (HardshipKind.DEMENTIA in flags)
            weight += 6.0 * (HardshipKind.EXTREME_POVERTY in flags)
            keyed.append((rng.random() ** (1.0 / weight), pk))
        keyed.sort(reverse=True)
        return {pk: inst for (_key, pk), inst in zip(keyed, residents, strict=False)}

    def _residency(self, pk: int, inst: Built, birth: dt.date, flags: list[str]) -> None:
        rng = self.rng
        nursing, dementia = self.beds_left.setdefault(
            inst.provider_id, [inst.beds_nursing, inst.beds_dementia]
        )
        if HardshipKind.DEMENTIA in flags and dementia > 0:
            bed = BedKind.DEMENTIA
            self.beds_left[inst.provider_id][1] -= 1
        elif HardshipKind.DISABLED in flags and nursing > 0:
            bed = BedKind.NURSING
            self.beds_left[inst.provider_id][0] -= 1
        else:
            bed = BedKind.GENERAL
        start = max(inst.opened_on, add_years(birth, 60), dt.date(2015, 1, 1))
        admitted = _date_between(rng, start, self.reference - dt.timedelta(days=7))
        self.residencies.add(
            (demo_uuid(rng), self.now, self.now, inst.provider_id, pk, admitted, None, bed)
        )
        self.result.residencies += 1
        self.result.residents_by_provider[inst.provider_id] += 1

    def children(self, unit: Unit, count: int, ids) -> None:
        rng = self.rng
        span = (self.reference - self.child_birth_start).days + 1
        for _ in range(count):
            pk = next(ids)
            birth = self.child_birth_start + dt.timedelta(days=rng.randrange(span))
            male = rng.random() < 0.52
            family = names.surname(rng)
            number = self.issuer.issue("320685", birth, male)
            name = family + names.given_name(rng, birth.year, male)
            point = jitter(rng, unit.latitude, unit.longitude, 0.005 if unit.is_urban else 0.012)
            self._person(pk, unit, "childcare", name, birth, male, number, self._address(unit),
                         point, living=LivingArrangement.WITH_FAMILY)  # fmt: skip
            parents_born = birth.year - rng.randrange(24, 38)
            if rng.random() < 0.85:
                father = names.full_name(rng, parents_born, True, family)
                self._contact(pk, ContactRelation.GUARDIAN, "父亲", father, names.mobile(rng))
            mother = names.full_name(rng, parents_born + rng.randrange(-2, 3), False)
            self._contact(pk, ContactRelation.GUARDIAN, "母亲", mother, names.mobile(rng))
            self.result.children += 1


def build_people(
    rng: random.Random, issuer: IdIssuer, units: list[Unit], scale: float,
    institutions: list[Built], estates: dict[int, list[str]], progress: bool = False,
    reference: dt.date | None = None,
) -> PeopleResult:  # fmt: skip
    elders = {u.id: int(u.facts["aged_60_plus"] * scale + 0.5) for u in units}
    children = {u.id: int(u.facts["under_3"] * scale + 0.5) for u in units}
    plan = plan_residents(rng, units, elders, institutions, scale)
    total = sum(elders.values()) + sum(children.values())
    ids = iter(allocate_ids(Person, total))
    writer = PeopleWriter(rng, issuer, estates, reference or timezone.localdate())
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=total, unit="人", desc="persons", mininterval=0.5)
    for unit in units:
        writer.elders(unit, elders[unit.id], ids, plan.get(unit.id, []))
        writer.children(unit, children[unit.id], ids)
        if bar is not None:
            bar.update(elders[unit.id] + children[unit.id])
    writer.flush()
    if bar is not None:
        bar.close()
    reset_sequences(Person)
    result = writer.result
    result.residences = writer.residences.written
    return result
