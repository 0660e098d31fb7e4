"""Demo providers reproducing the 2022 baseline exactly, with staff and residential estates.

32 elderly-care institutions (1 social welfare home, 20 rural homes, 9 private institutions and 2
nursing homes) with 6,394 beds; 30 community facilities; 65 childcare providers (52 standalone, 13
kindergarten classes of which 6 public) with 4,696 places and the provincial and Nantong
designations. Every provider opened before 2022 and none has closed, so the figures hold on the
2022-12-31 reference date and today alike.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from carecircle.core.idnumbers import make_credit_code
from carecircle.demo import names
from carecircle.demo.bulk import demo_uuid
from carecircle.demo.ids import IdIssuer
from carecircle.demo.population import Unit, apportion, baseline, jitter
from carecircle.demo.staff import build_estates, build_staff
from carecircle.institutions.choices import (
    DesignationKind,
    FilingStatus,
    IssuingLevel,
    Ownership,
    ProviderKind,
    ServiceMode,
)
from carecircle.institutions.models import (
    CapacityRecord,
    Designation,
    Grade,
    InstitutionPair,
    Provider,
)

K = ProviderKind
Own = Ownership

# (name, kind, ownership, host unit, relative size) — the 32 institutions of the baseline.
ELDERLY_INSTITUTIONS: tuple[tuple[str, str, str, str, float], ...] = (
    ("海安市社会福利院", K.WELFARE_HOME, Own.PUBLIC, "320685100022", 460),
    # Rural homes (敬老院), each named after and sited in a (former) township seat.
    ("海安市孙庄敬老院", K.RURAL_HOME, Own.PUBLIC, "320685100042", 150),
    ("海安市胡集敬老院", K.RURAL_HOME, Own.PUBLIC, "320685100037", 120),
    ("海安市隆政敬老院", K.RURAL_HOME, Own.PUBLIC_BUILT_PRIVATE_RUN, "320685100034", 110),
    ("海安市仁桥敬老院", K.RURAL_HOME, Own.PUBLIC, "320685100210", 90),
    ("海安市城东敬老院", K.RURAL_HOME, Own.PUBLIC_BUILT_PRIVATE_RUN, "320685101001", 180),
    ("海安市西场敬老院", K.RURAL_HOME, Own.PUBLIC, "320685101026", 110),
    ("海安市立发敬老院", K.RURAL_HOME, Own.PUBLIC, "320685101004", 100),
    ("海安市曲塘敬老院", K.RURAL_HOME, Own.PUBLIC_BUILT_PRIVATE_RUN, "320685102004", 200),
    ("海安市李堡敬老院", K.RURAL_HOME, Own.PUBLIC, "320685103007", 190),
    ("海安市丁所敬老院", K.RURAL_HOME, Own.PUBLIC, "320685103005", 100),
    ("海安市角斜敬老院", K.RURAL_HOME, Own.PUBLIC_BUILT_PRIVATE_RUN, "320685105001", 160),
    ("海安市沿口敬老院", K.RURAL_HOME, Own.PUBLIC, "320685105002", 90),
    ("海安市大公敬老院", K.RURAL_HOME, Own.PUBLIC, "320685107001", 150),
    ("海安市北凌敬老院", K.RURAL_HOME, Own.PUBLIC, "320685107202", 90),
    ("海安市雅周敬老院", K.RURAL_HOME, Own.PUBLIC_BUILT_PRIVATE_RUN, "320685109001", 150),
    ("海安市王垛敬老院", K.RURAL_HOME, Own.PUBLIC, "320685109002", 90),
    ("海安市白甸敬老院", K.RURAL_HOME, Own.PUBLIC, "320685111001", 140),
    ("海安市南莫敬老院", K.RURAL_HOME, Own.PUBLIC_BUILT_PRIVATE_RUN, "320685112001", 150),
    ("海安市墩头敬老院", K.RURAL_HOME, Own.PUBLIC, "320685113001", 160),
    ("海安市吉庆敬老院", K.RURAL_HOME, Own.PUBLIC, "320685113004", 90),
    # Private institutions and nursing homes (民办).
    ("海安市颐和老年公寓", K.PRIVATE_INSTITUTION, Own.PRIVATE, "320685100009", 520),
    ("海安市康乐养老院", K.PRIVATE_INSTITUTION, Own.PRIVATE, "320685101014", 300),
    ("海安市福寿园养老服务中心", K.PRIVATE_INSTITUTION, Own.PRIVATE, "320685101024", 420),
    ("海安市夕阳红颐养院", K.PRIVATE_INSTITUTION, Own.PRIVATE, "320685102003", 260),
    ("海安市仁爱老年公寓", K.PRIVATE_INSTITUTION, Own.PRIVATE, "320685103001", 220),
    ("海安市金色港湾养老院", K.PRIVATE_INSTITUTION, Own.PRIVATE, "320685105004", 160),
    ("海安市安康养老中心", K.PRIVATE_INSTITUTION, Own.PRIVATE, "320685109004", 180),
    ("海安市乐龄颐养中心", K.PRIVATE_INSTITUTION, Own.PRIVATE, "320685112003", 170),
    ("海安市康馨养老院", K.PRIVATE_INSTITUTION, Own.PRIVATE, "320685113003", 200),
    ("海安市仁济护理院", K.NURSING_HOME, Own.PRIVATE, "320685100021", 300),
    ("海安市瑞康护理院", K.NURSING_HOME, Own.PRIVATE, "320685101018", 240),
)

COMPREHENSIVE_CENTRES = (
    ("海安镇综合性养老服务中心", "320685100016"),
    ("城东镇综合性养老服务中心", "320685101001"),
    ("曲塘镇综合性养老服务中心", "320685102001"),
    ("李堡镇综合性养老服务中心", "320685103007"),
)
DAYCARE_CENTRES = 14
HOME_CARE_STATIONS = 12

CHILDCARE_BRANDS = names.words(
    "贝贝 童乐 小天使 启蒙 爱心 七彩 蓝天 星星 彩虹 阳光 小橘灯 萌宝 乐育 欣禾 童心 育苗 "
    "小树苗 嘉禾 小海豚 蒲公英 向日葵 小太阳 悦童 禾苗 小白鸽 快乐宝贝 爱贝 童趣 金苹果 "
    "小脚丫 启智 未来星 小蜜蜂 乐童 亲亲宝贝 睿智 天使之家 星辰 梦想 小铃铛 小种子 雏鹰 "
    "宝贝树 晨曦 蓓蕾 安心 小叶子 糖果 云朵 布丁 小象 可可 暖阳 小蜗牛 青苗 满天星"
)
CHILDCARE_SUFFIXES = ("托育中心", "托育园", "婴幼儿照护中心", "早教托育中心")
PUBLIC_STANDALONE = (
    ("海安市妇幼托育中心", "320685100012"),
    ("海安市城东公办托育园", "320685101002"),
)
KINDERGARTEN_CLASSES = (
    ("海安市实验幼儿园托班", Own.PUBLIC, "320685100011"),
    ("海安市城东镇中心幼儿园托班", Own.PUBLIC, "320685101003"),
    ("海安市曲塘镇中心幼儿园托班", Own.PUBLIC, "320685102002"),
    ("海安市李堡镇中心幼儿园托班", Own.PUBLIC, "320685103002"),
    ("海安市墩头镇中心幼儿园托班", Own.PUBLIC, "320685113002"),
    ("海安市南莫镇中心幼儿园托班", Own.PUBLIC, "320685112002"),
    ("海安市明珠幼儿园托班", Own.PRIVATE, "320685100006"),
    ("海安市金太阳幼儿园托班", Own.PRIVATE, "320685100025"),
    ("海安市育英幼儿园托班", Own.PRIVATE, "320685101010"),
    ("海安市小红花幼儿园托班", Own.PRIVATE, "320685101021"),
    ("海安市童话幼儿园托班", Own.PRIVATE, "320685102009"),
    ("海安市蓝天幼儿园托班", Own.PRIVATE, "320685109003"),
    ("海安市博雅幼儿园托班", Own.PRIVATE, "320685105003"),
)
HOSPITALS = ("海安市人民医院", "海安市中医院", "海安市第三人民医院", "海安市第六人民医院")
TOWN_NAMES = {
    "320685100": "海安镇", "320685101": "城东镇", "320685102": "曲塘镇", "320685103": "李堡镇",
    "320685105": "角斜镇", "320685107": "大公镇", "320685109": "雅周镇", "320685111": "白甸镇",
    "320685112": "南莫镇", "320685113": "墩头镇", "320685400": "海安县农场",
}  # fmt: skip
ROADS = names.words(
    "人民路 长江路 黄海路 宁海路 中坝路 通榆路 海防路 健康路 文化路 迎宾路 江淮路 开发大道"
)
ORG_ALPHABET = "0123456789"
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


@dataclass
class Built:
    """What the people and accounts steps need to know about the providers."""

    provider_id: int
    name: str
    kind: str
    area_id: int
    town_code: str
    opened_on: dt.date
    latitude: Decimal = Decimal(0)
    longitude: Decimal = Decimal(0)
    beds: int = 0
    beds_nursing: int = 0
    beds_dementia: int = 0
    places: int = 0


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


class CreditCodes:
    """Unique, valid unified social credit codes: 12… public units, 52… non-profits, 91…
    companies; the region is 320621 (海安县) for registrations before 2018, 320685 after."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def make(self, kind: str, registered: dt.date) -> str:
        region = "320621" if registered.year < 2018 else "320685"
        while True:
            body = "".join(self.rng.choice(ORG_ALPHABET) for _ in range(8))
            total = sum(int(c) * w for c, w in zip(body, ORG_WEIGHTS, strict=True))
            check = 11 - total % 11
            org = body + ("X" if check == 10 else "0" if check == 11 else str(check))
            code = make_credit_code(f"{kind}{region}{org}")
            if code not in self.used:
                self.used.add(code)
                return code


class ProviderFactory:
    def __init__(self, rng: random.Random, units: list[Unit]):
        self.rng = rng
        self.units = {u.code: u for u in units}
        self.unit_list = units
        self.codes = CreditCodes(rng)
        self.providers: list[Provider] = []
        self.towns: list[str] = []

    def add(self, name: str, kind: str, ownership: str, host: str, opened: dt.date, **extra):
        rng = self.rng
        unit = self.units[host]
        lat, lon = jitter(rng, unit.latitude, unit.longitude, 0.004)
        if ownership == Own.PUBLIC:
            prefix = "12"
        elif kind in (K.NURSING_HOME,) or (
            Provider.domain_of(kind) == "childcare" and rng.random() < 0.6
        ):
            prefix = "91"
        else:
            prefix = "52"
        stem = names.area_stem(unit.name)
        town = TOWN_NAMES.get(unit.town_code, "")
        road = rng.choice(ROADS)
        provider = Provider(
            uuid=demo_uuid(rng),
            name=name,
            domain=Provider.domain_of(kind),
            kind=kind,
            ownership=ownership,
            credit_code=self.codes.make(prefix, opened),
            area_id=unit.id,
            address=f"海安市{town}{stem}{road}{rng.randrange(1, 300)}号",
            latitude=lat,
            longitude=lon,
            phone=names.landline(rng),
            legal_representative=names.full_name(
                rng, rng.randrange(1960, 1990), rng.random() < 0.5
            ),
            opened_on=opened,
            **extra,
        )
        self.providers.append(provider)
        self.towns.append(unit.town_code)
        return provider


def build_providers(rng: random.Random, units: list[Unit], issuer: IdIssuer) -> dict:
    """Write every provider-side row; returns ``Built`` records grouped by role."""
    targets = baseline()
    factory = ProviderFactory(rng, units)
    _elderly_institutions(factory)
    community = _community_facilities(factory)
    childcare = _childcare(factory)
    Provider.objects.bulk_create(factory.providers, batch_size=500)
    by_name = {
        p.name: Built(p.pk, p.name, p.kind, p.area_id, town, p.opened_on, p.latitude, p.longitude)
        for p, town in zip(factory.providers, factory.towns, strict=True)
    }
    elderly = [by_name[name] for name, *_rest in ELDERLY_INSTITUTIONS]
    community_built = [by_name[name] for name in community]
    childcare_built = [by_name[name] for _kind, name in childcare]
    public_ids = {p.pk for p in factory.providers if p.ownership == Own.PUBLIC}

    capacity = _beds(rng, elderly, targets["elderly_institution_beds"])
    designations = _childcare_designations(rng, childcare_built, targets)
    capacity += _places(rng, childcare_built, targets["childcare_places"], designations, public_ids)
    pairs = _pairs(rng, elderly, community_built, childcare_built)
    designations += _elderly_designations(rng, elderly, pairs)
    CapacityRecord.objects.bulk_create(capacity, batch_size=500)
    Designation.objects.bulk_create(designations, batch_size=500)
    InstitutionPair.objects.bulk_create(
        [
            InstitutionPair(
                uuid=demo_uuid(rng),
                elderly_provider_id=e.provider_id,
                childcare_provider_id=c.provider_id,
                started_on=started,
            )
            for e, c, started in pairs
        ]
    )
    Grade.objects.bulk_create(_grades(rng, elderly))
    staff_count = build_staff(rng, issuer, elderly, community_built, childcare_built)
    estates = build_estates(rng, units)
    return {
        "estates": estates,
        "elderly": elderly,
        "community": community_built,
        "childcare": childcare_built,
        "counts": {
            "providers": len(by_name),
            "capacity_records": len(capacity),
            "designations": len(designations),
            "pairs": len(pairs),
            **staff_count,
            "residential_areas": sum(len(v) for v in estates.values()),
        },
    }


def _beds(rng: random.Random, elderly: list[Built], total_beds: int) -> list[CapacityRecord]:
    """Beds of the 32 institutions, apportioned exactly to the baseline total, with plausible
    nursing-type and dementia-care shares."""
    weights = [size * rng.uniform(0.9, 1.1) for *_rest, size in ELDERLY_INSTITUTIONS]
    records: list[CapacityRecord] = []
    for b, total in zip(elderly, apportion(total_beds, weights), strict=True):
        nursing_share = {
            K.WELFARE_HOME: 0.5,
            K.RURAL_HOME: rng.uniform(0.2, 0.4),
            K.PRIVATE_INSTITUTION: rng.uniform(0.4, 0.7),
            K.NURSING_HOME: 0.9,
        }[b.kind]
        b.beds = total
        b.beds_nursing = round(total * nursing_share)
        dementia = b.kind != K.RURAL_HOME and rng.random() < 0.6
        b.beds_dementia = round(total * rng.uniform(0.05, 0.12)) if dementia else 0
        records += _capacity_history(
            rng, b, beds_total=total, beds_nursing=b.beds_nursing, beds_dementia=b.beds_dementia
        )
    return records


DESIGNATED_CHILDCARE = (
    # kind, baseline figure, issuing level
    (
        DesignationKind.PROVINCIAL_AFFORDABLE_CHILDCARE,
        "provincial_affordable_childcare",
        IssuingLevel.PROVINCIAL,
    ),
    (
        DesignationKind.PROVINCIAL_MODEL_CHILDCARE,
        "provincial_model_childcare",
        IssuingLevel.PROVINCIAL,
    ),
    (
        DesignationKind.NANTONG_AFFORDABLE_CHILDCARE,
        "nantong_affordable_childcare",
        IssuingLevel.CITY,
    ),
)
AFFORDABLE_KINDS = (
    DesignationKind.PROVINCIAL_AFFORDABLE_CHILDCARE,
    DesignationKind.NANTONG_AFFORDABLE_CHILDCARE,
)


def _childcare_designations(
    rng: random.Random, childcare: list[Built], targets: dict[str, int]
) -> list[Designation]:
    """Each designation goes to different standalone providers, as many as the baseline says."""
    standalone = [b for b in childcare if b.kind == K.CHILDCARE_STANDALONE]
    chosen = rng.sample(standalone, sum(targets[figure] for _k, figure, _l in DESIGNATED_CHILDCARE))
    designations = []
    for kind, figure, level in DESIGNATED_CHILDCARE:
        group, chosen = chosen[: targets[figure]], chosen[targets[figure] :]
        for b in group:
            granted = _date_between(
                rng, max(b.opened_on, dt.date(2020, 9, 1)), dt.date(2022, 6, 30)
            )
            designations.append(
                Designation(
                    uuid=demo_uuid(rng),
                    provider_id=b.provider_id,
                    kind=kind,
                    issuing_level=level,
                    granted_on=granted,
                )
            )
    return designations


def _places(
    rng: random.Random,
    childcare: list[Built],
    total_places: int,
    designations: list[Designation],
    public_ids: set[int],
) -> list[CapacityRecord]:
    """Places apportioned exactly to the baseline total (standalone providers are larger than
    kindergarten classes); 普惠 places mostly in public and affordable-designated providers."""
    weights = [
        rng.uniform(45, 130) if b.kind == K.CHILDCARE_STANDALONE else rng.uniform(25, 50)
        for b in childcare
    ]
    affordable_ids = {d.provider_id for d in designations if d.kind in AFFORDABLE_KINDS}
    records = []
    for b, total in zip(childcare, apportion(total_places, weights), strict=True):
        b.places = total
        if b.provider_id in public_ids:
            share = 1.0
        elif b.provider_id in affordable_ids:
            share = rng.uniform(0.8, 1.0)
        else:
            share = rng.choice((0.0, 0.0, 0.2, 0.3, 0.5))
        records.append(
            CapacityRecord(
                uuid=demo_uuid(rng),
                provider_id=b.provider_id,
                valid_from=max(b.opened_on, dt.date(2021, 1, 1)),
                places_total=total,
                places_affordable=min(total, round(total * share)),
            )
        )
    return records


def _elderly_designations(rng: random.Random, elderly: list[Built], pairs) -> list[Designation]:
    """老幼融合 demonstration sites (the first paired institutions), the welfare home as a model
    institution and dementia-care units where there are enough dementia beds."""

    def designation(b: Built, kind: str, level: str, granted: dt.date) -> Designation:
        return Designation(
            uuid=demo_uuid(rng),
            provider_id=b.provider_id,
            kind=kind,
            issuing_level=level,
            granted_on=granted,
        )

    integration = DesignationKind.ELDERLY_CHILDCARE_INTEGRATION
    designations = [
        designation(e, integration, IssuingLevel.COUNTY, started + dt.timedelta(days=90))
        for e, _c, started in pairs[:3]
    ]
    designations.append(
        designation(
            elderly[0],
            DesignationKind.ELDERLY_MODEL_INSTITUTION,
            IssuingLevel.CITY,
            dt.date(2021, 11, 15),
        )
    )
    for b in [b for b in elderly if b.beds_dementia >= 20][:2]:
        designations.append(
            designation(
                b, DesignationKind.DEMENTIA_CARE_UNIT, IssuingLevel.COUNTY, dt.date(2022, 3, 1)
            )
        )
    return designations


def _elderly_institutions(factory: ProviderFactory) -> None:
    rng = factory.rng
    for name, kind, ownership, host, _size in ELDERLY_INSTITUTIONS:
        if kind == K.WELFARE_HOME:
            opened = dt.date(1996, 6, 1)
        elif kind == K.RURAL_HOME:
            opened = _date_between(rng, dt.date(2001, 1, 1), dt.date(2012, 12, 31))
        elif kind == K.NURSING_HOME:
            opened = _date_between(rng, dt.date(2016, 1, 1), dt.date(2020, 12, 31))
        else:
            opened = _date_between(rng, dt.date(2012, 1, 1), dt.date(2021, 6, 30))
        factory.add(
            name,
            kind,
            ownership,
            host,
            opened,
            houses_disabled_extreme_poor=kind in (K.WELFARE_HOME, K.RURAL_HOME)
            and rng.random() < 0.6,
            signed_hospital=rng.choice(HOSPITALS) if rng.random() < 0.85 else "",
            has_sprinklers=rng.random() < 0.85,
            has_smoke_detectors=rng.random() < 0.95,
            has_safety_system=True,
        )


def _community_facilities(factory: ProviderFactory) -> list[str]:
    rng = factory.rng
    created: list[str] = []
    for name, host in COMPREHENSIVE_CENTRES:
        opened = _date_between(rng, dt.date(2018, 1, 1), dt.date(2021, 10, 31))
        factory.add(name, K.COMPREHENSIVE_CENTRE, Own.PUBLIC_BUILT_PRIVATE_RUN, host, opened)
        created.append(name)
    urban = [u for u in factory.unit_list if u.is_urban]
    rural = [u for u in factory.unit_list if not u.is_urban]
    for unit in rng.sample(urban, DAYCARE_CENTRES):
        name = f"{names.area_stem(unit.name)}社区日间照料中心"
        opened = _date_between(rng, dt.date(2015, 1, 1), dt.date(2021, 12, 31))
        factory.add(name, K.DAYCARE_CENTRE, Own.PUBLIC_BUILT_PRIVATE_RUN, unit.code, opened)
        created.append(name)
    for unit in rng.sample(rural, HOME_CARE_STATIONS):
        name = f"{names.area_stem(unit.name)}村居家养老服务站"
        opened = _date_between(rng, dt.date(2016, 1, 1), dt.date(2021, 12, 31))
        ownership = Own.PUBLIC if rng.random() < 0.3 else Own.PUBLIC_BUILT_PRIVATE_RUN
        factory.add(name, K.HOME_CARE_STATION, ownership, unit.code, opened)
        created.append(name)
    return created


def _childcare(factory: ProviderFactory) -> list[tuple[str, str]]:
    rng = factory.rng
    created: list[tuple[str, str]] = []
    modes = [m.value for m in ServiceMode]

    def extra(public: bool, kindergarten: bool) -> dict:
        chosen = [ServiceMode.FULL_DAY.value] + [m for m in modes[1:] if rng.random() < 0.4]
        fee = rng.uniform(900, 1500) if public or kindergarten else rng.uniform(1600, 3200)
        filed = rng.random() < 0.9 or public
        return {
            "service_modes": [ServiceMode.FULL_DAY.value] if kindergarten else chosen,
            "monthly_fee": Decimal(f"{round(fee, -1):.2f}"),
            "filing_status": FilingStatus.FILED if filed else FilingStatus.NOT_FILED,
            "filed_on": _date_between(rng, dt.date(2020, 3, 1), dt.date(2021, 12, 31))
            if filed
            else None,
        }

    for name, host in PUBLIC_STANDALONE:
        opened = _date_between(rng, dt.date(2019, 1, 1), dt.date(2021, 6, 30))
        factory.add(name, K.CHILDCARE_STANDALONE, Own.PUBLIC, host, opened, **extra(True, False))
        created.append((K.CHILDCARE_STANDALONE, name))
    core = [
        u for u in factory.unit_list if u.is_urban and u.town_code in ("320685100", "320685101")
    ]
    towns = [
        u
        for u in factory.unit_list
        if u.is_urban and u.town_code not in ("320685100", "320685101", "320685400")
    ]
    remaining = 52 - len(PUBLIC_STANDALONE)
    hosts = [rng.choice(core) for _ in range(remaining - len(towns) // 2)]
    hosts += rng.sample(towns, len(towns) // 2)
    brands = rng.sample(CHILDCARE_BRANDS, remaining)
    for brand, unit in zip(brands, hosts, strict=True):
        town = (
            "海安市" if unit.town_code in ("320685100", "320685101") else TOWN_NAMES[unit.town_code]
        )
        name = f"{town}{brand}{rng.choice(CHILDCARE_SUFFIXES)}"
        opened = _date_between(rng, dt.date(2017, 1, 1), dt.date(2021, 12, 31))
        factory.add(
            name, K.CHILDCARE_STANDALONE, Own.PRIVATE, unit.code, opened, **extra(False, False)
        )
        created.append((K.CHILDCARE_STANDALONE, name))
    for name, ownership, host in KINDERGARTEN_CLASSES:
        opened = _date_between(rng, dt.date(2019, 9, 1), dt.date(2021, 9, 1))
        factory.add(
            name,
            K.KINDERGARTEN_CLASS,
            ownership,
            host,
            opened,
            **extra(ownership == Own.PUBLIC, True),
        )
        created.append((K.KINDERGARTEN_CLASS, name))
    return created


def _capacity_history(rng: random.Random, b: Built, **current) -> list[CapacityRecord]:
    """The capacity in force since 2021 (or opening), and for some an earlier, smaller one."""
    start = max(b.opened_on, dt.date(2021, 1, 1))
    records = []
    if b.opened_on < dt.date(2019, 1, 1) and rng.random() < 0.4:
        earlier = {k: round(v * rng.uniform(0.7, 0.9)) for k, v in current.items()}
        records.append(
            CapacityRecord(
                uuid=demo_uuid(rng),
                provider_id=b.provider_id,
                valid_from=b.opened_on,
                note="原核定床位",
                **earlier,
            )
        )
    records.append(
        CapacityRecord(
            uuid=demo_uuid(rng),
            provider_id=b.provider_id,
            valid_from=start,
            note="2021年核定床位",
            **current,
        )
    )
    return records


def _distance2(a: Built, b: Built) -> float:
    return float(a.latitude - b.latitude) ** 2 + float(a.longitude - b.longitude) ** 2


def _pairs(rng, elderly, community, childcare) -> list[tuple[Built, Built, dt.date]]:
    """Elderly-care and childcare institutions paired with their nearest partner (老幼融合)."""
    candidates = [
        elderly[0],
        *[b for b in elderly if b.kind == K.PRIVATE_INSTITUTION][:3],
        *community[:2],
    ]
    used: set[int] = set()
    pairs = []
    for e in candidates:
        partner = min(
            (c for c in childcare if c.provider_id not in used), key=lambda c, e=e: _distance2(e, c)
        )
        used.add(partner.provider_id)
        start = max(e.opened_on, partner.opened_on, dt.date(2021, 3, 1))
        pairs.append((e, partner, _date_between(rng, start, dt.date(2022, 9, 30))))
    return pairs


def _grades(rng: random.Random, elderly: list[Built]) -> list[Grade]:
    chosen = [(elderly[0], 4)]
    chosen += [(b, rng.choice((2, 3, 3))) for b in elderly if b.kind == K.PRIVATE_INSTITUTION][:4]
    chosen += [(b, 3) for b in elderly if b.kind == K.NURSING_HOME]
    chosen += [(b, rng.choice((1, 2))) for b in elderly if b.kind == K.RURAL_HOME][:5]
    grades = []
    for b, grade in chosen:
        start = _date_between(rng, max(b.opened_on, dt.date(2022, 1, 1)), dt.date(2022, 10, 31))
        grades.append(
            Grade(
                uuid=demo_uuid(rng),
                provider_id=b.provider_id,
                grade=grade,
                valid_from=start,
                valid_to=start.replace(year=start.year + 5),
                assessed_by="南通市养老机构等级评定委员会" if grade >= 3 else "海安市民政局",
            )
        )
    return grades
