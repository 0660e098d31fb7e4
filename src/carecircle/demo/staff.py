"""Demo staff (with certificates and trainings) and residential estates.

Staff numbers follow the providers' size: about one caregiver per twelve beds, one childcare
teacher per twelve places, nurses, doctors, social workers and a manager; all hold valid resident
IDs (encrypted like every other ID) and most a certificate of their trade.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from carecircle.areas.choices import EstateKind
from carecircle.areas.models import ResidentialArea
from carecircle.core import crypto
from carecircle.core.fields import ID_INDEX_PURPOSE, id_number_index
from carecircle.core.idnumbers import mask_id_number
from carecircle.demo import names
from carecircle.demo.bulk import demo_uuid
from carecircle.demo.ids import IdIssuer
from carecircle.demo.population import Unit, jitter
from carecircle.institutions.choices import ProviderKind as K
from carecircle.institutions.choices import SkillLevel, StaffRole
from carecircle.institutions.models import Staff, StaffCertificate, Training


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


STAFF_PROFILE = {
    # role: (birth years, share female, certificate, skill levels or None)
    StaffRole.CAREGIVER: ((1962, 1988), 0.85, "养老护理员职业技能等级证书",
                          ("5", "5", "4", "4", "3", "2")),
    StaffRole.NURSE: ((1982, 2000), 0.95, "护士执业证书", None),
    StaffRole.SOCIAL_WORKER: ((1985, 1999), 0.7, "社会工作者职业资格证书", None),
    StaffRole.CHILDCARE_TEACHER: ((1985, 2001), 0.97, "保育师职业技能等级证书",
                                  ("5", "4", "4", "3")),
    StaffRole.HEALTH_DOCTOR: ((1970, 1992), 0.6, "医师执业证书", None),
    StaffRole.MANAGER: ((1966, 1990), 0.5, "", None),
}  # fmt: skip
COURSES = {
    "elderly": ("养老护理员岗前培训", "失智老人照护技能培训", "消防安全与应急处置培训",
                "老年人能力评估培训", "医养结合服务规范培训"),
    "childcare": ("托育机构保育人员培训", "婴幼儿急救与伤害预防", "婴幼儿营养与喂养",
                  "托育机构消防安全培训", "婴幼儿早期发展指导"),
}  # fmt: skip
STAFF_ID_PREFIXES = ("320621", "320621", "320621", "320685", "320685", "320682", "321281", "320981")


def _roles_for(b, rng: random.Random) -> list[str]:
    R = StaffRole
    if b.kind in (K.CHILDCARE_STANDALONE, K.KINDERGARTEN_CLASS):
        roles = [R.MANAGER] if b.kind == K.CHILDCARE_STANDALONE else []
        roles += [R.CHILDCARE_TEACHER] * max(2, -(-b.places // 12))
        return roles + ([R.HEALTH_DOCTOR] if rng.random() < 0.6 else [])
    if b.beds:
        roles = [R.MANAGER] + [R.CAREGIVER] * max(2, b.beds // 12)
        roles += [R.NURSE] * (1 + b.beds // 80)
        if b.kind in (K.WELFARE_HOME, K.NURSING_HOME, K.PRIVATE_INSTITUTION) and b.beds >= 200:
            roles.append(R.HEALTH_DOCTOR)
        return roles + ([R.SOCIAL_WORKER] if rng.random() < 0.5 else [])
    return [R.MANAGER] + [R.CAREGIVER] * rng.randrange(1, 4)


def build_staff(rng, issuer: IdIssuer, elderly, community, childcare) -> dict[str, int]:
    staff: list[Staff] = []
    roles: list[tuple[str, str]] = []
    for b in [*elderly, *community, *childcare]:
        domain = "childcare" if b.places else "elderly"
        for role in _roles_for(b, rng):
            (first, last), female_share, _cert, levels = STAFF_PROFILE[role]
            male = rng.random() >= female_share
            birth = _date_between(rng, dt.date(first, 1, 1), dt.date(last, 12, 31))
            number = issuer.issue(rng.choice(STAFF_ID_PREFIXES), birth, male)
            earliest = max(b.opened_on, birth.replace(year=birth.year + 20, day=min(birth.day, 28)))
            staff.append(
                Staff(
                    uuid=demo_uuid(rng),
                    provider_id=b.provider_id,
                    name=names.full_name(rng, birth.year, male),
                    sex="M" if male else "F",
                    birth_date=birth,
                    phone=names.mobile(rng),
                    role=role,
                    skill_level=rng.choice(levels) if levels else SkillLevel.NONE,
                    hired_on=_date_between(rng, earliest, max(earliest, dt.date(2022, 6, 30))),
                    id_number_encrypted=crypto.encrypt(number, context=ID_INDEX_PURPOSE),
                    id_number_index=id_number_index(number),
                    id_number_masked=mask_id_number(number),
                )
            )
            roles.append((domain, role))
    Staff.objects.bulk_create(staff, batch_size=1000)
    certificates: list[StaffCertificate] = []
    trainings: list[Training] = []
    for person, (domain, role) in zip(staff, roles, strict=True):
        _years, _share, cert, _levels = STAFF_PROFILE[role]
        if role == StaffRole.MANAGER:
            cert = (
                "托育机构负责人培训合格证书"
                if domain == "childcare"
                else "养老机构院长培训合格证书"
            )
        if role == StaffRole.CHILDCARE_TEACHER and rng.random() < 0.4:
            cert = "育婴员职业技能等级证书"
        if cert and rng.random() < 0.88:
            issued = _date_between(
                rng, person.hired_on - dt.timedelta(days=365), dt.date(2022, 9, 30)
            )
            certificates.append(
                StaffCertificate(
                    uuid=demo_uuid(rng),
                    staff_id=person.pk,
                    kind=cert,
                    number=f"{rng.randrange(10**11, 10**12)}",
                    level=person.skill_level
                    if role in (StaffRole.CAREGIVER, StaffRole.CHILDCARE_TEACHER)
                    else "",
                    issued_on=issued,
                )
            )
        for _ in range(rng.randrange(1, 4)):
            trainings.append(
                Training(
                    uuid=demo_uuid(rng),
                    staff_id=person.pk,
                    course=rng.choice(COURSES[domain]),
                    attended_on=_date_between(
                        rng, max(person.hired_on, dt.date(2019, 1, 1)), dt.date(2022, 11, 30)
                    ),
                    hours=Decimal(rng.choice((4, 8, 8, 16, 24, 40))),
                    organiser="海安市卫生健康委员会" if domain == "childcare" else "海安市民政局",
                )
            )
    StaffCertificate.objects.bulk_create(certificates, batch_size=1000)
    Training.objects.bulk_create(trainings, batch_size=1000)
    return {"staff": len(staff), "certificates": len(certificates), "trainings": len(trainings)}


def build_estates(rng: random.Random, units: list[Unit]) -> dict[int, list[str]]:
    """Residential estates in the urban communities, new and existing, with service rooms;
    returns their names by village id (for the residents' addresses)."""
    estates = []
    by_unit: dict[int, list[str]] = {}
    for unit in (u for u in units if u.is_urban):
        taken: list[str] = []
        by_unit[unit.id] = taken
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            name = names.estate_name(rng, names.area_stem(unit.name))
            if name in taken:
                continue
            taken.append(name)
            new = rng.random() < 0.4
            households = rng.randrange(300, 2400) if new else rng.randrange(150, 1200)
            need_e, need_c = (30, 20) if new else (20, 15)
            comply = rng.random() < (0.7 if new else 0.45)
            factor = rng.uniform(1.0, 1.6) if comply else rng.uniform(0.0, 0.9)
            lat, lon = jitter(rng, unit.latitude, unit.longitude, 0.005)
            estates.append(
                ResidentialArea(
                    uuid=demo_uuid(rng),
                    name=name,
                    area_id=unit.id,
                    kind=EstateKind.NEW if new else EstateKind.EXISTING,
                    households=households,
                    elderly_room_m2=Decimal(f"{households / 100 * need_e * factor:.1f}"),
                    childcare_room_m2=Decimal(f"{households / 100 * need_c * factor:.1f}"),
                    delivered_on=_date_between(rng, dt.date(2012, 1, 1), dt.date(2022, 6, 30))
                    if new
                    else _date_between(rng, dt.date(1988, 1, 1), dt.date(2008, 12, 31)),
                    address=f"{names.area_stem(unit.name)}社区",
                    latitude=lat,
                    longitude=lon,
                )
            )
    ResidentialArea.objects.bulk_create(estates, batch_size=500)
    return by_unit
