"""Demo activity: the hospitals of the demo city and a year of two-way referrals.

Hospitals (invented names in Hai'an's style, demo UUIDs, valid credit codes) are reference data
kept across reloads: ``ensure_hospitals`` finds them by name and only adds the missing ones. The
health module (which runs first) uses the health centres for the annual checks.

Referrals: residents of the demo's elderly-care institutions are referred up to a hospital at a
rate of about one every two resident-years, most of them come back down after their stay, and
some new residents arrive by a down-referral. Statuses follow the dates: recent referrals are
still open, older ones completed, a few rejected or cancelled.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from carecircle.areas.models import Area
from carecircle.core.idnumbers import make_credit_code
from carecircle.demo.bulk import BulkWriter, demo_uuid
from carecircle.institutions.choices import ELDERLY_INSTITUTION_KINDS
from carecircle.institutions.models import Residency
from carecircle.referrals.choices import Direction, HospitalGrade, HospitalLevel, Urgency
from carecircle.referrals.choices import ReferralStatus as S
from carecircle.referrals.icd10 import COMMON_DIAGNOSES
from carecircle.referrals.models import Hospital, Referral

L, G = HospitalLevel, HospitalGrade
# name, level, grade, primary care, area code, address
HOSPITALS = (
    ("海安市人民医院", L.TERTIARY, G.B, False, "320685001", "海安市海安街道中坝南路17号"),
    ("海安市中医院", L.SECONDARY, G.A, False, "320685002", "海安市孙庄街道宁海南路55号"),
    ("海安市第三人民医院", L.SECONDARY, G.B, False, "320685102", "海安市曲塘镇人民路8号"),
    ("海安市第四人民医院", L.SECONDARY, G.B, False, "320685103", "海安市李堡镇新港路21号"),
    ("海安市曲塘镇中心卫生院", L.PRIMARY, G.A, True, "320685102", "海安市曲塘镇健康路3号"),
    ("海安市李堡镇中心卫生院", L.PRIMARY, G.A, True, "320685103", "海安市李堡镇振兴路12号"),
    ("海安市城东镇卫生院", L.PRIMARY, G.A, True, "320685101", "海安市城东镇东海大道6号"),
    ("海安街道社区卫生服务中心", L.PRIMARY, G.UNGRADED, True, "320685001",
     "海安市海安街道长江中路99号"),
)  # fmt: skip
# The demo's streets (assumed areas) were parts of 海安镇: without them, the town.
STREET_TOWN = {"320685001": "320685100", "320685002": "320685100"}
HOSPITAL_FIELDS = (
    "uuid", "created_at", "updated_at", "name", "credit_code", "level", "grade",
    "is_primary_care", "area_id", "address", "phone",
)  # fmt: skip
REFERRAL_FIELDS = (
    "uuid", "created_at", "updated_at", "person_id", "direction", "from_provider_id",
    "to_provider_id", "from_hospital_id", "to_hospital_id", "referred_on", "reason",
    "diagnosis_code", "diagnosis_text", "urgency", "status", "accepted_at", "completed_at",
    "reject_reason", "fhir_id",
)  # fmt: skip
UP_RATE = 0.5  # up-referrals per resident-year
RETURN_SHARE = 0.85  # completed stays that come back down to the institution
ADMITTED_BY_REFERRAL = 0.15  # new residents who arrive by a hospital's down-referral
PENDING_DAYS = 3  # some of the last days' referrals still wait for an answer
DIAGNOSIS_WEIGHTS = (8, 14, 8, 6, 5, 7, 16, 10, 9, 6, 3, 3, 2, 1, 1, 1)
UP_REASONS = (
    "病情加重，机构内无法处置，需上级医院进一步诊治",
    "突发症状，需急诊评估",
    "慢性病控制不佳，需专科调整治疗方案",
    "跌倒后疼痛明显，需影像学检查",
    "发热咳嗽数日不退，需住院治疗",
)
DOWN_REASONS = (
    "病情稳定，转回机构继续康复护理",
    "术后恢复期，转回机构进行康复训练",
    "急性期治疗结束，转回机构长期照护",
    "出院后需护理型床位继续照护",
)
REJECT_REASONS = ("床位已满，建议转至其他医院", "病情超出本院诊疗范围", "家属要求暂缓转诊")


def _credit_code(rng: random.Random) -> str:
    """A public institution's (事业单位, 12) code of Hai'an with a random organisation body."""
    body = "".join(rng.choice("0123456789") for _ in range(8)) + rng.choice("0123456789ABCDE")
    return make_credit_code(f"12320685{body}")


def ensure_hospitals(seed: int) -> dict[str, int]:
    """The demo hospitals by name → pk, writing those not there yet (kept across reloads)."""
    rng = random.Random(f"{seed}:hospitals")
    existing = dict(
        Hospital.objects.filter(name__in=[h[0] for h in HOSPITALS]).values_list("name", "pk")
    )
    wanted = {h[4] for h in HOSPITALS} | set(STREET_TOWN.values())
    areas = dict(Area.objects.filter(code__in=wanted).values_list("code", "pk"))
    for street, town in STREET_TOWN.items():
        areas.setdefault(street, areas.get(town))
    now = timezone.now()
    writer = BulkWriter(Hospital, HOSPITAL_FIELDS)
    for name, level, grade, primary, code, address in HOSPITALS:
        row_uuid, credit = demo_uuid(rng), _credit_code(rng)
        phone = f"0513-8{rng.randrange(1000000, 9999999)}"
        if name in existing or areas.get(code) is None:
            continue
        writer.add((row_uuid, now, now, name, credit, level, grade, primary, areas[code],
                    address, phone))  # fmt: skip
    writer.flush()
    return dict(
        Hospital.objects.filter(name__in=[h[0] for h in HOSPITALS]).values_list("name", "pk")
    )


def town_of(path: str) -> str:
    """The town (9-digit code) on a materialised path, or "" above town level."""
    return next((code for code in path.split("/") if len(code) == 9), "")


@dataclass(frozen=True)
class Stay:
    person_id: int
    provider_id: int
    town: str
    admitted: dt.date
    discharged: dt.date | None


class ReferralWriter:
    def __init__(self, rng: random.Random, today: dt.date, hospitals: list[tuple]):
        self.rng = rng
        self.today = today
        self.tz = timezone.get_current_timezone()
        # The end of ``today`` (or now, if that is earlier): nothing happens after it.
        end_of_day = timezone.make_aware(dt.datetime.combine(today, dt.time(23, 59)), self.tz)
        self.created = timezone.now()
        self.now = min(self.created, end_of_day)
        self.writer = BulkWriter(Referral, REFERRAL_FIELDS)
        # (pk, level, primary care, town code)
        self.hospitals = hospitals
        self.general = [h for h in hospitals if not h[2]]
        self.county = [h for h in self.general if h[1] == L.TERTIARY] or self.general
        self.counts = {"referrals": 0, "referrals_up": 0, "referrals_down": 0}

    def moment(self, day: dt.date) -> dt.datetime:
        """A time in the working day of ``day``, never later than now."""
        minutes = self.rng.randrange(7 * 60, 21 * 60)
        naive = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60))
        when = timezone.make_aware(naive, self.tz)
        if when > self.now:
            when = self.now - dt.timedelta(minutes=self.rng.randrange(5, 120))
        return when

    def day_shift(self, day: dt.date) -> dt.datetime:
        minutes = self.rng.randrange(8 * 60, 17 * 60)
        return timezone.make_aware(
            dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60)), self.tz
        )

    def hospital_for(self, stay: Stay, urgent: bool) -> int:
        rng = self.rng
        if urgent or rng.random() < 0.45:
            return rng.choice(self.county)[0]
        near = [h for h in self.general if h[3] == stay.town]
        return rng.choice(near or self.general)[0]

    def outcome(self, referred: dt.datetime, urgent: bool, stay_days: int):
        """Status and dates that fit the time passed since ``referred``."""
        rng = self.rng
        accepted = referred + dt.timedelta(minutes=rng.randrange(20, 90 if urgent else 240))
        # Discharged (or settled in) during the day shift, after the acceptance.
        completed = max(
            self.day_shift(accepted.date() + dt.timedelta(days=stay_days)),
            accepted + dt.timedelta(minutes=rng.randrange(30, 120)),
        )
        roll = rng.random()
        if roll < 0.04:
            return S.REJECTED, None, None, rng.choice(REJECT_REASONS)
        if roll < 0.08:
            return S.CANCELLED, (accepted if rng.random() < 0.3 else None), None, ""
        if accepted > self.now or (
            referred > self.now - dt.timedelta(days=PENDING_DAYS) and rng.random() < 0.4
        ):
            return S.INITIATED, None, None, ""  # not answered yet
        if completed > self.now:
            return S.ACCEPTED, accepted, None, ""
        return S.COMPLETED, accepted, completed, ""

    def add(self, stay: Stay, direction: str, hospital_id: int, referred: dt.datetime, urgent: bool,
            stay_days: int, reason: str, diagnosis: tuple[str, str]):  # fmt: skip
        rng = self.rng
        status, accepted, completed, reject_reason = self.outcome(referred, urgent, stay_days)
        up = direction == Direction.UP
        self.writer.add((
            demo_uuid(rng), self.created, self.created, stay.person_id, direction,
            stay.provider_id if up else None, None if up else stay.provider_id,
            None if up else hospital_id, hospital_id if up else None, referred, reason,
            diagnosis[0], diagnosis[1], Urgency.URGENT if urgent else Urgency.ROUTINE, status,
            accepted, completed, reject_reason, str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        ))  # fmt: skip
        self.counts["referrals"] += 1
        self.counts["referrals_up" if up else "referrals_down"] += 1
        return status, completed

    def diagnosis(self) -> tuple[str, str]:
        code, label = self.rng.choices(COMMON_DIAGNOSES, weights=DIAGNOSIS_WEIGHTS)[0]
        return code, str(label)

    def stay(self, stay: Stay, start: dt.date) -> None:
        rng = self.rng
        first = max(start, stay.admitted)
        last = min(self.today, stay.discharged or self.today)
        if last < first:
            return
        if stay.admitted >= start and rng.random() < ADMITTED_BY_REFERRAL:
            # Arrived from a hospital: the down-referral on the day before admission.
            day = max(stay.admitted - dt.timedelta(days=1), start)
            hospital = rng.choice(self.general)[0]
            self.add(stay, Direction.DOWN, hospital, self.moment(day), False,
                     rng.randrange(0, 2), rng.choice(DOWN_REASONS), self.diagnosis())  # fmt: skip
        expected = UP_RATE * ((last - first).days + 1) / 365
        episodes = int(expected) + (rng.random() < expected - int(expected))
        for _ in range(episodes):
            day = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
            urgent = rng.random() < 0.3
            hospital = self.hospital_for(stay, urgent)
            days_in = rng.randrange(3, 21)
            diagnosis = self.diagnosis()
            referred = self.moment(day)
            status, completed = self.add(stay, Direction.UP, hospital, referred, urgent,
                                         days_in, rng.choice(UP_REASONS), diagnosis)  # fmt: skip
            if status == S.COMPLETED and rng.random() < RETURN_SHARE:
                back = completed + dt.timedelta(minutes=rng.randrange(30, 150))
                if back <= self.now and back.date() <= last:
                    self.add(stay, Direction.DOWN, hospital, back, False, rng.randrange(0, 2),
                             rng.choice(DOWN_REASONS), diagnosis)  # fmt: skip

    def flush(self) -> None:
        self.writer.flush()


def generate(seed: int, today: dt.date) -> dict[str, int]:
    rng = random.Random(f"{seed}:referrals")
    names = ensure_hospitals(seed)
    hospitals = list(
        Hospital.objects.filter(pk__in=names.values())
        .order_by("name")
        .values_list("pk", "level", "is_primary_care", "area__path")
    )
    hospitals = [(pk, level, primary, town_of(path)) for pk, level, primary, path in hospitals]
    if not any(not h[2] for h in hospitals):
        return {"hospitals": len(hospitals), "referrals": 0}
    start = today - dt.timedelta(days=364)
    stays = [
        Stay(person, provider, town_of(path), admitted, discharged)
        for person, provider, path, admitted, discharged in Residency.objects.filter(
            provider__kind__in=ELDERLY_INSTITUTION_KINDS, admitted_on__lte=today
        )
        .filter(Q(discharged_on__isnull=True) | Q(discharged_on__gte=start))
        .order_by("pk")
        .values_list(
            "person_id", "provider_id", "provider__area__path", "admitted_on", "discharged_on"
        )
    ]
    writer = ReferralWriter(rng, today, hospitals)
    for stay in stays:
        writer.stay(stay, start)
    writer.flush()
    return {"hospitals": len(hospitals), **writer.counts}
