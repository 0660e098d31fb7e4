"""Demo activity: infant health services of the children under 3 (the C01–C05 and X06 records).

Every child the demo holds (born in the last three years) gets the services of its life so far,
up to today (and not after death or moving out), from its town's primary-care health centre:

* a newborn home visit, nearly always 3–14 days after birth; about 2.5 % are visited late
  (29–50 days) and 2.5 % not at all (C01 about 93–95 %);
* a newborn screening sampled on day 3–7 covering the four diseases (about 98.5 %), a few
  covering fewer; results nearly all normal, a few recalled or confirmed;
* vaccinations against the schedule in ``VaccineDose``: about 96 % of the children get every dose
  within 0–20 days of its due age; the others fall behind from some dose on (missing or 40–120
  days late doses), so about 97 % are up to date (C03);
* the scheduled checks (满月 to 30 months) within days of their age, with weight, length and head
  circumference around the WHO medians; about 6 % of the families skip some checks (C02, X06);
* early-development guidance: about 97 % of the families get one to three sessions a year, last
  year and this year (C05).

Choices come from one seeded generator, so the same seed gives the same records. Rows are written
in bulk (``BulkWriter``), a few hundred thousand at scale 1.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from carecircle.areas.models import Area
from carecircle.childhealth.choices import (
    NEWBORN_VISIT_DAYS,
    UNDER_AGE,
    Checkpoint,
    GuidanceMode,
    GuidanceTopic,
    ScreeningResult,
)
from carecircle.childhealth.models import (
    ChildHealthCheck,
    DevelopmentGuidance,
    NewbornScreening,
    NewbornVisit,
    Vaccination,
    VaccineDose,
)
from carecircle.childhealth.schedule import add_months
from carecircle.demo import names
from carecircle.demo.activity.referrals import town_of
from carecircle.demo.bulk import BulkWriter, demo_uuid
from carecircle.persons.models import Person

DAY = dt.timedelta(days=1)
VISIT_LATE, VISIT_NONE = 0.025, 0.025
SCREEN_PARTIAL, SCREEN_NONE = 0.005, 0.01
VACCINE_LAGGING = 0.04
CHECK_PATCHY, PATCHY_SKIP = 0.06, 0.4
GUIDED = 0.97
SCREENING_SITES = ("海安市人民医院", "海安市中医院", "海安市妇幼保健院")
# WHO child growth standards, medians (boys) by months: weight kg, length cm, head cm.
GROWTH = {
    1: (4.5, 54.7, 37.3),
    3: (6.4, 61.4, 40.5),
    6: (7.9, 67.6, 43.3),
    8: (8.6, 70.6, 44.5),
    12: (9.6, 75.7, 46.1),
    18: (10.9, 82.3, 47.4),
    24: (12.2, 87.8, 48.3),
    30: (13.3, 91.9, 49.0),
}
VISIT_FINDINGS = (
    "一般情况良好，脐带已脱落，母乳喂养，指导按需哺乳",
    "皮肤轻度黄染，已告知观察要点，建议必要时就诊",
    "母乳喂养，体重增长良好，指导护理与预防接种",
    "混合喂养，指导正确冲调奶粉和喂养姿势",
)
TOPICS_BY_AGE = (  # (until months, topics)
    (6, (GuidanceTopic.FEEDING, GuidanceTopic.SLEEP, GuidanceTopic.MOTOR)),
    (18, (GuidanceTopic.FEEDING, GuidanceTopic.MOTOR, GuidanceTopic.LANGUAGE, GuidanceTopic.PLAY)),
    (36, (GuidanceTopic.LANGUAGE, GuidanceTopic.SOCIAL, GuidanceTopic.PLAY, GuidanceTopic.SAFETY)),
)
MODES = (
    (GuidanceMode.CLINIC,) * 5
    + (GuidanceMode.HOME,) * 2
    + (GuidanceMode.CLASS,) * 2
    + (GuidanceMode.ONLINE,)
)


def _centres() -> dict[str, tuple[str, str]]:
    """Town code → (health centre, vaccination clinic)."""
    out = {}
    for code, name, kind in Area.objects.filter(
        level="township", code__startswith="320685"
    ).values_list("code", "name", "kind"):
        centre = f"{name}社区卫生服务中心" if kind == "street" else f"海安市{name}卫生院"
        out[code] = (centre, f"{name}预防接种门诊")
    return out


class _Writers:
    def __init__(self):
        base = ("uuid", "created_at", "updated_at", "child_id")
        self.visits = BulkWriter(
            NewbornVisit, (*base, "visited_on", "visitor", "institution_name", "findings")
        )
        self.screenings = BulkWriter(
            NewbornScreening,
            (*base, "sampled_on", "pku", "ch", "cah", "g6pd", "result", "institution_name"),
        )
        self.vaccinations = BulkWriter(
            Vaccination, (*base, "dose_id", "given_on", "batch", "clinic")
        )
        self.checks = BulkWriter(
            ChildHealthCheck,
            (*base, "checked_on", "checkpoint", "weight_kg", "length_cm", "head_cm",
             "institution_name", "findings"),
        )  # fmt: skip
        self.guidance = BulkWriter(
            DevelopmentGuidance, (*base, "given_on", "topic", "mode", "given_by")
        )

    def flush(self) -> dict[str, int]:
        out = {}
        for name in ("visits", "screenings", "vaccinations", "checks", "guidance"):
            writer = getattr(self, name)
            writer.flush()
            out[f"childhealth_{name}"] = writer.written
        return out


def generate(seed: int, today: dt.date) -> dict[str, int]:
    from decimal import Decimal

    rng = random.Random(f"{seed}:childhealth")
    rand, randint = rng.random, rng.randint
    now = timezone.now()
    centres = _centres()
    fallback = ("海安市基层医疗卫生机构", "海安市预防接种门诊")
    doses = list(VaccineDose.objects.values_list("pk", "due_months", "due_days", "code"))
    checkpoints = [c.months for c in Checkpoint if c.months < UNDER_AGE * 12]
    staff = {code: [names.full_name(rng, 1985, rand() < 0.3) for _ in range(6)] for code in centres}
    batches = {
        code: f"{today.year - 1}{code[:2].upper()}{randint(100, 999)}" for *_x, code in doses
    }
    w = _Writers()

    def uid():
        return demo_uuid(rng)

    children = (
        Person.objects.filter(domain="childcare", merged_into__isnull=True)
        .order_by("pk")
        .values_list("pk", "birth_date", "sex", "death_date", "moved_out_on", "area__path")
    )
    for pk, birth, sex, death, moved, path in children.iterator(chunk_size=5000):
        end = min(d for d in (today, death, moved) if d is not None)
        if birth > end:
            continue
        town = town_of(path)
        centre, clinic = centres.get(town, fallback)
        people = staff.get(town) or ["王医生"]
        # Newborn visit.
        roll = rand()
        if roll >= VISIT_NONE:
            late = roll < VISIT_NONE + VISIT_LATE
            day = birth + DAY * (randint(NEWBORN_VISIT_DAYS + 1, 50) if late else randint(3, 14))
            if day <= end:
                w.visits.add((uid(), now, now, pk, day, rng.choice(people), centre,
                              rng.choice(VISIT_FINDINGS)))  # fmt: skip
        # Screening.
        roll = rand()
        if roll >= SCREEN_NONE:
            day = birth + DAY * randint(3, 7)
            if day <= end:
                partial = roll < SCREEN_NONE + SCREEN_PARTIAL
                outcome = rand()
                if day > today - DAY * 7:
                    result = ScreeningResult.PENDING
                elif outcome < 0.002:
                    result = ScreeningResult.CONFIRMED
                elif outcome < 0.008:
                    result = ScreeningResult.EXCLUDED
                else:
                    result = ScreeningResult.NORMAL
                w.screenings.add((uid(), now, now, pk, day, True, True, not partial, True,
                                  result, rng.choice(SCREENING_SITES)))  # fmt: skip
        # Vaccinations: compliant, or behind from some dose on.
        behind_from = randint(0, len(doses) - 1) if rand() < VACCINE_LAGGING else len(doses)
        for index, (dose_pk, months, days, code) in enumerate(doses):
            due = add_months(birth, months) + DAY * days
            if index < behind_from:
                day = due + DAY * (randint(0, 20) if months else randint(0, 1))
            elif rand() < 0.5:
                continue
            else:
                day = due + DAY * randint(40, 120)
            if day <= end:
                w.vaccinations.add((uid(), now, now, pk, dose_pk, day, batches[code], clinic))
        # Scheduled checks.
        patchy = rand() < CHECK_PATCHY
        factor = 1.0 if sex == "M" else 0.95
        for months in checkpoints:
            if patchy and rand() < PATCHY_SKIP:
                continue
            # Within days of the age (the 满月 check from day 28 on), well inside the grace.
            day = add_months(birth, months) + DAY * randint(0 if months == 1 else -5, 20)
            if day <= end:
                weight, length, head = GROWTH[months]
                spread = rng.gauss(1.0, 0.06)
                w.checks.add((uid(), now, now, pk, day, str(months),
                              Decimal(f"{weight * factor * spread:.2f}"),
                              Decimal(f"{length * factor ** 0.5 * rng.gauss(1.0, 0.025):.1f}"),
                              Decimal(f"{head * factor ** 0.3 * rng.gauss(1.0, 0.02):.1f}"),
                              centre, "生长发育正常"))  # fmt: skip
        # Early-development guidance, last year and this year.
        for year in (today.year - 1, today.year):
            start = max(dt.date(year, 1, 1), birth + DAY * 7)
            stop = min(dt.date(year, 12, 31), end)
            if start > stop or rand() >= GUIDED:
                continue
            span = (stop - start).days
            used = set()
            for _ in range(randint(1, 3)):
                day = start + DAY * randint(0, span)
                age = (day - birth).days // 30
                topics = next(t for limit, t in TOPICS_BY_AGE if age < limit or limit == 36)
                topic = rng.choice(topics)
                if (day, topic) in used:
                    continue
                used.add((day, topic))
                w.guidance.add((uid(), now, now, pk, day, topic.value, rng.choice(MODES),
                                rng.choice(people)))  # fmt: skip
    return w.flush()
