"""Demo activity: annual health checks of residents aged 65+ (the E06 records).

Last year and this year, about 72–78 % of the residents who are 65 or older at the year's end
(and present then) get a check from their town's primary-care institution: a registered health
centre where the demo has one, otherwise the town's 卫生院 (社区卫生服务中心 in a street) by
name. Checks follow the season of the campaigns (spring and autumn); this year's stop at today,
so coverage early in a year is lower, as it is in reality. Nearly all checks are complete
(examination, assessment, guidance); about 5 % lack the guidance or the assessment and do not
count. Choices are table lookups (one random number each) to keep ~280,000 rows fast.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from carecircle.areas.models import Area
from carecircle.core.dates import years_before
from carecircle.demo.activity.referrals import ensure_hospitals, town_of
from carecircle.demo.bulk import BulkWriter, demo_uuid
from carecircle.health.choices import EXAMINATION_FIELDS, MANAGED_AGE
from carecircle.health.models import ElderHealthCheck
from carecircle.persons.models import Person
from carecircle.referrals.models import Hospital

FIELDS = (
    "uuid", "created_at", "updated_at", "person_id", "checked_on", "hospital_id",
    "institution_name", *EXAMINATION_FIELDS, "health_assessment", "guidance_given",
    "results_summary",
)  # fmt: skip
# Share of the 65+ checked in a year, drawn per town within this range.
COVERAGE = (0.72, 0.78)
# Checks per month (campaigns in spring and autumn).
MONTH_WEIGHTS = (2, 5, 11, 13, 12, 9, 5, 4, 9, 12, 12, 6)
T, F = True, False
# The examinations done (in EXAMINATION_FIELDS order), as panels with their share in percent:
# the physical examination always, the auxiliary ones as the institution's equipment allows.
PANELS = (
    (72, (T, T, T, T, T, T, T, T, T)),
    (10, (T, T, T, T, T, T, T, T, F)),
    (8, (T, T, T, T, T, T, T, F, F)),
    (6, (T, T, T, F, F, T, F, T, F)),
    (4, (T, T, F, F, F, T, F, F, F)),
)
# (assessment done, guidance given) with their share in percent: about 5 % do not count.
COMPLETION = ((95, (T, T)), (3, (T, F)), (2, (F, T)))
FINDINGS = (
    (30, "未见明显异常"),
    (25, "血压偏高，建议低盐饮食、规律服药并定期监测"),
    (12, "空腹血糖偏高，建议复查并控制饮食"),
    (12, "血脂偏高，建议饮食控制、适量运动"),
    (6, "心电图示ST-T改变，建议心内科随访"),
    (7, "腹部B超示脂肪肝，建议控制体重"),
    (4, "腹部B超示胆囊结石，建议外科门诊随访"),
    (4, "尿常规示尿蛋白阳性，建议复查肾功能"),
)


def _table(weighted) -> list:
    """A lookup list in which each value appears ``weight`` times: one random index picks."""
    return [value for weight, value in weighted for _ in range(weight)]


def _check_days(year: int) -> list[dt.date]:
    """The days of ``year``, each repeated by its month's weight (the campaign season)."""
    days = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        days.extend([day] * MONTH_WEIGHTS[day.month - 1])
        day += dt.timedelta(days=1)
    return days


def _institution_names(hospitals: dict[str, int]) -> dict[str, tuple[int | None, str]]:
    """Town code → (registered health centre pk or None, institution name)."""
    registered = {
        town_of(path): (pk, name)
        for pk, name, path in Hospital.objects.filter(
            pk__in=hospitals.values(), is_primary_care=True
        ).values_list("pk", "name", "area__path")
    }
    out = {}
    for code, name, kind in Area.objects.filter(
        level="township", code__startswith="320685"
    ).values_list("code", "name", "kind"):
        if code in registered:
            out[code] = registered[code]
        elif kind == "street":
            out[code] = (None, f"{name}社区卫生服务中心")
        else:
            out[code] = (None, f"海安市{name}卫生院")
    return out


def generate(seed: int, today: dt.date) -> dict[str, int]:
    rng = random.Random(f"{seed}:health")
    institutions = _institution_names(ensure_hospitals(seed))
    fallback = (None, "海安市基层医疗卫生机构")
    persons = [
        (pk, birth, death, moved, town_of(path))
        for pk, birth, death, moved, path in Person.objects.filter(
            domain="elderly", merged_into__isnull=True
        )
        .order_by("pk")
        .values_list("pk", "birth_date", "death_date", "moved_out_on", "area__path")
    ]
    panels, completion, findings = _table(PANELS), _table(COMPLETION), _table(FINDINGS)
    now = timezone.now()
    writer = BulkWriter(ElderHealthCheck, FIELDS)
    random_ = rng.random
    for year in (today.year - 1, today.year):
        year_end = min(dt.date(year, 12, 31), today)
        born_by = years_before(year_end, MANAGED_AGE)
        days = _check_days(year)
        coverage = {code: rng.uniform(*COVERAGE) for code in institutions}
        for pk, birth, death, moved, town in persons:
            if birth > born_by or (death and death <= year_end) or (moved and moved <= year_end):
                continue
            if random_() >= coverage.get(town, COVERAGE[0]):
                continue
            day = days[int(random_() * len(days))]
            if day > today:
                continue  # not yet this year
            hospital_id, name = institutions.get(town, fallback)
            exams = panels[int(random_() * len(panels))]
            assessed, guided = completion[int(random_() * len(completion))]
            finding = findings[int(random_() * len(findings))]
            writer.add(
                (demo_uuid(rng), now, now, pk, day, hospital_id, name, *exams, assessed, guided,
                 finding)
            )  # fmt: skip
    writer.flush()
    return {"health_checks": writer.written}
