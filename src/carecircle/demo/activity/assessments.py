"""Demo activity: ability assessments (GB/T 42195-2022) over the last ~14 months.

* Elders aged 80+: about 88 % hold an assessment valid today, 7 % only an expired one (assessed
  12–14 months ago), the rest none (the due worklist). Some valid ones renewed a first assessment
  of a year before; a few replaced an earlier one by an immediate assessment or a review
  (``invalidated_on``).
* Younger elders with a hardship flag (特困, 低保, 低保边缘, 经济困难, 失能, 失智): most are
  assessed too, since their home-care entitlements depend on the level.
* Item scores are drawn from profiles consistent with the person: 失能 mostly levels 2–4 with
  the deficits in self-care and movement, 失智 with the dementia diagnosis (F00–F03, +1 level)
  and the deficits in orientation and memory. Score, levels, adjustments and validity come from
  the same scoring service as the form.

Rows are written in bulk (demo UUIDs, no history rows) inside the demo transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import defaultdict

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from carecircle.assessments import services
from carecircle.assessments.models import Assessment
from carecircle.assessments.standard import standard
from carecircle.core.choices import Domain
from carecircle.core.dates import years_before
from carecircle.demo import names
from carecircle.demo.bulk import BulkWriter, demo_uuid, reset_sequences
from carecircle.institutions.models import Residency
from carecircle.persons.choices import HardshipKind
from carecircle.persons.groups import OLD_AGE
from carecircle.persons.models import ELDER_AGE, HardshipFlag, Person

H = HardshipKind
HARDSHIP = (
    H.EXTREME_POVERTY,
    H.MINIMUM_LIVING,
    H.NEAR_MINIMUM,
    H.ECONOMIC_HARDSHIP,
    H.DISABLED,
    H.DEMENTIA,
)
FIELDS = (
    "id", "uuid", "created_at", "updated_at", "person_id", "assessed_on", "reason", "agency_id",
    "assessor_name", "assessor_medical", "second_assessor_name", "second_assessor_medical",
    "item_scores", "diseases", "risk_events", "coma", "initial_score", "initial_level",
    "final_level", "adjustments", "valid_until", "invalidated_on", "superseded_by_id", "note",
)  # fmt: skip

# (valid today, only expired) shares; the rest has no assessment.
COVERAGE = {"old": (0.88, 0.07), "hardship": (0.66, 0.10)}
# Initial level (before C.4) by profile: weights of levels 0–4.
LEVELS = {
    "old": (22, 52, 17, 7, 2),
    "hardship": (40, 42, 12, 5, 1),
    "physical": (0, 0, 35, 35, 30),
    "cognitive": (0, 30, 40, 20, 10),
}
# Where the points are lost, by profile: weight per item code prefix (longest prefix wins).
DEFICITS = {
    "general": {"B.1": 1.0, "B.2": 1.2, "B.3": 0.5, "B.3.9": 0.05, "B.4": 1.0},
    "physical": {"B.1": 3.0, "B.2": 3.0, "B.3": 0.3, "B.3.9": 0.05, "B.4": 0.6, "B.4.4": 2.0},
    "cognitive": {"B.1": 0.8, "B.2": 0.6, "B.3": 3.0, "B.3.7": 1.0, "B.3.8": 1.0, "B.3.9": 0.2,
                  "B.4": 0.8, "B.4.3": 2.5, "B.4.5": 2.5},
}  # fmt: skip
PROFILES_PER_LEVEL = 60
# Chronic diseases (A.4.1) and their share among the assessed.
CHRONIC = (
    ("I10-I15", 0.45), ("I25", 0.12), ("E10-E14", 0.15), ("J44", 0.05), ("I63", 0.06),
    ("I60-I62", 0.01), ("H25-H26", 0.08), ("H40-H42", 0.01), ("M80-M82", 0.07),
    ("G20-G22", 0.01), ("K20-K31", 0.03), ("C00-D48", 0.02), ("E01-E03", 0.02),
    ("N18-N19", 0.01), ("M84", 0.01),
)  # fmt: skip
OTHER_MENTAL = 0.008
RENEWED = 0.7  # valid assessments of the last two months that renew one of a year before
IMMEDIATE, REVIEW = 0.03, 0.006
RISK_KINDS = ("fall", "fall", "fall", "choke", "wander", "other")


def _code_weight(weights: dict[str, float], code: str) -> float:
    best = max((prefix for prefix in weights if code.startswith(prefix)), key=len)
    return weights[best]


def _profile(rng: random.Random, level: int, kind: str) -> dict[str, int]:
    """Item scores with a total inside the level's band, the points lost where ``kind`` says."""
    band = standard().level(level)
    target = rng.randint(band.low, band.high)
    scores = {item.code: item.max_points for item in standard().items}
    weights = {code: _code_weight(DEFICITS[kind], code) for code in scores}
    deficit = standard().max_score - target
    while deficit:
        open_codes = [code for code in scores if scores[code] > 0]
        code = rng.choices(open_codes, [weights[c] for c in open_codes])[0]
        step = min(deficit, scores[code], rng.choice((1, 1, 2)))
        scores[code] -= step
        deficit -= step
    return scores


class Profiles:
    """Pools of item-score profiles per (kind, level), drawn once (JSON kept ready)."""

    def __init__(self, rng: random.Random):
        self.pools: dict[tuple[str, int], list[tuple[int, str]]] = {}
        for kind in DEFICITS:
            for band in standard().levels:
                pool = []
                for _ in range(PROFILES_PER_LEVEL if band.level else 1):
                    scores = _profile(rng, band.level, kind)
                    pool.append((sum(scores.values()), json.dumps(scores)))
                self.pools[(kind, band.level)] = pool

    def pick(self, rng: random.Random, kind: str, level: int) -> tuple[int, str]:
        return rng.choice(self.pools[(kind, level)])


class AssessmentWriter:
    def __init__(self, rng: random.Random, today: dt.date):
        self.rng = rng
        self.today = today
        self.now = timezone.now()
        self.profiles = Profiles(rng)
        self.writer = BulkWriter(Assessment, FIELDS)
        # Ids are taken here so that a replaced assessment can point at its replacement; the
        # sequence is moved past them once written (``reset_sequences``).
        last = Assessment.objects.order_by("-pk").values_list("pk", flat=True).first()
        self.next_id = (last or 0) + 1
        assessors = [
            (names.full_name(rng, rng.randrange(1965, 2000), rng.random() < 0.3), medical)
            for medical in (True,) * 8 + (False,) * 8
        ]
        # Two different assessors, the first always with a medical background.
        self.pairs = [
            (first, medical, second, second_medical)
            for first, medical in assessors[:8]
            for second, second_medical in assessors
            if second != first
        ]
        self.counts = defaultdict(int)
        self.mode = services.upgrade_mode()
        self._valid_until: dict[dt.date, dt.date] = {}
        self._json: dict[tuple, str] = {}

    def valid_until(self, on: dt.date) -> dt.date:
        if on not in self._valid_until:
            self._valid_until[on] = services.valid_until_for(on)
        return self._valid_until[on]

    def as_json(self, values: list) -> str:
        key = tuple(values)
        if key not in self._json:
            self._json[key] = json.dumps(values)
        return self._json[key]

    def _events(self, on: dt.date, count: int, dementia: bool) -> list[dict]:
        kinds = RISK_KINDS + (("wander", "wander") if dementia else ())
        return [
            {
                "kind": self.rng.choice(kinds),
                "date": (on - dt.timedelta(days=self.rng.randrange(30))).isoformat(),
            }
            for _ in range(count)
        ]

    def _diseases(self, flags: set[str]) -> list[str]:
        rng = self.rng
        chosen = {code for code, share in CHRONIC if rng.random() < share}
        if H.DEMENTIA in flags:
            chosen.add("F00-F03")
        elif rng.random() < OTHER_MENTAL:
            chosen.add("F04-F99")
        return sorted(chosen, key=services.disease_order)

    def write(
        self,
        person_id: int,
        on: dt.date,
        reason: str,
        kind: str,
        level: int,
        flags: set[str],
        agency: int | None,
        *,
        invalidated_on: dt.date | None = None,
        superseded_by: int | None = None,
        pk: int | None = None,
    ) -> int:
        rng = self.rng
        dementia = H.DEMENTIA in flags
        score, scores_json = self.profiles.pick(rng, kind, level)
        diseases = self._diseases(flags)
        roll = rng.random()
        frail = kind != "general"
        events = 2 if roll < (0.06 if frail else 0.02) else 1 if roll < 0.08 else 0
        risk_events = json.dumps(self._events(on, events, dementia)) if events else "[]"
        coma = level == 4 and kind == "physical" and rng.random() < 0.03
        initial = standard().level_for(score)
        final, adjustments = services.adjust(
            initial, coma=coma, diseases=diseases, risk_events=events, mode=self.mode
        )
        pk = pk or self.take_id()
        name, medical, second, second_medical = rng.choice(self.pairs)
        self.writer.add(
            (
                pk, demo_uuid(rng), self.now, self.now, person_id, on, reason, agency,
                name, medical, second, second_medical, scores_json, self.as_json(diseases),
                risk_events, coma, score, initial, final, self.as_json(adjustments),
                self.valid_until(on), invalidated_on, superseded_by, "",
            )
        )  # fmt: skip
        self.counts["assessments"] += 1
        if invalidated_on:
            self.counts["assessments_invalidated"] += 1
        return pk

    def take_id(self) -> int:
        pk = self.next_id
        self.next_id += 1
        return pk

    def day_between(self, first_days_ago: int, last_days_ago: int) -> dt.date:
        return self.today - dt.timedelta(days=self.rng.randint(last_days_ago, first_days_ago))


def _profile_kind(flags: set[str], group: str) -> tuple[str, str]:
    """(deficit profile, level distribution) of a person."""
    if H.DISABLED in flags:
        return "physical", "physical"
    if H.DEMENTIA in flags:
        return "cognitive", "cognitive"
    return "general", group


def generate(seed: int, today: dt.date) -> dict[str, int]:
    rng = random.Random(f"{seed}:assessments")
    sixty = years_before(today, ELDER_AGE)
    eighty = years_before(today, OLD_AGE)
    present = Q(death_date__isnull=True) | Q(death_date__gt=today)
    present &= Q(moved_out_on__isnull=True) | Q(moved_out_on__gt=today)
    flags: dict[int, set[str]] = defaultdict(set)
    active = HardshipFlag.objects.filter(kind__in=HARDSHIP, valid_from__lte=today).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=today)
    )
    # Only the elders who may be assessed: 80+, or younger with a hardship flag.
    elders = (
        Person.objects.filter(present, domain=Domain.ELDERLY, merged_into__isnull=True)
        .filter(birth_date__lte=sixty)
        .filter(Q(birth_date__lte=eighty) | Q(Exists(active.filter(person=OuterRef("pk")))))
        .order_by("pk")
        .values_list("pk", "birth_date")
    )
    for person_id, kind in active.order_by("pk").values_list("person_id", "kind"):
        flags[person_id].add(kind)
    stays = dict(
        Residency.objects.filter(discharged_on__isnull=True)
        .order_by("pk")
        .values_list("person_id", "provider_id")
    )
    out = AssessmentWriter(rng, today)
    for person_id, birth in elders.iterator(chunk_size=5000):
        held = flags.get(person_id, set())
        group = "old" if birth <= eighty else "hardship" if held else None
        if group is None:
            continue
        valid_share, expired_share = COVERAGE[group]
        roll = rng.random()
        if roll >= valid_share + expired_share:
            continue
        kind, levels = _profile_kind(held, group)
        level = rng.choices(range(5), LEVELS[levels])[0]
        agency = stays.get(person_id)

        def old_enough(day: dt.date, birth=birth) -> bool:
            return birth <= years_before(day, ELDER_AGE)

        if roll >= valid_share:  # only an expired assessment, 12–14 months old
            on = out.day_between(425, 372)
            if old_enough(on) and out.valid_until(on) < today:
                out.write(person_id, on, "first", kind, level, held, agency)
            continue
        on = out.day_between(364, 0)
        if out.valid_until(on) < today:  # a shorter month on the way: still valid today
            on += dt.timedelta(days=3)
        if not old_enough(on):
            on = out.day_between(30, 0)
            if not old_enough(on):
                continue
        change = rng.random()
        if change < IMMEDIATE + REVIEW and on <= today - dt.timedelta(days=40):
            # The earlier assessment is replaced by an immediate assessment (a worse level after
            # a fall or an illness) or by a review the family asked for.
            later_on = on + dt.timedelta(days=rng.randint(20, (today - on).days))
            reason = "immediate" if change < IMMEDIATE else "review"
            later_level = min(4, level + rng.choice((1, 1, 2))) if reason == "immediate" else level
            later_id = out.take_id()
            out.write(
                person_id, on, "first", kind, level, held, agency,
                invalidated_on=later_on, superseded_by=later_id,
            )  # fmt: skip
            out.write(person_id, later_on, reason, kind, later_level, held, agency, pk=later_id)
            continue
        if on >= today - dt.timedelta(days=60) and rng.random() < RENEWED:
            earlier = on - dt.timedelta(days=365 + rng.randrange(20))
            if old_enough(earlier):
                out.write(person_id, earlier, "first", kind, max(0, level - 1), held, agency)
                out.write(person_id, on, "routine", kind, level, held, agency)
                continue
        out.write(person_id, on, "first", kind, level, held, agency)
    out.writer.flush()
    reset_sequences(Assessment)
    return dict(out.counts)
