"""Demo activity: call devices and hotline registrations, and a year of calls.

About 85 % of the special-hardship group is covered (a device or the hotline registration of
their phone; some have both a call button and a smoke alarm; a few devices were replaced); an
adaptation that installed a call device enrols it on its completion day. Calls come from covered
elders over the 12 months up to today, about one per covered elder a year (tens of thousands at
scale 1), with kinds that suit the device, answers within a few minutes and a long tail, and the
outcome each kind usually gets. A few calls of the last hours are still open.
"""

from __future__ import annotations

import datetime as dt
import math
import random

from django.utils import timezone

from carecircle.adaptations.choices import ItemKind
from carecircle.adaptations.models import AdaptationItem
from carecircle.core.bulk import allocate_ids
from carecircle.demo import names
from carecircle.demo.bulk import BulkWriter, demo_uuid, reset_sequences
from carecircle.emergency.choices import CallKind, CallOutcome, Coverage, DeviceKind
from carecircle.emergency.models import CallDevice, CallEvent
from carecircle.persons.groups import special_hardship_q
from carecircle.persons.models import Person

COVERED_SHARE = 0.85
SECOND_DEVICE_SHARE = 0.1
REPLACED_SHARE = 0.06
CALLS_PER_COVERED_ELDER = 1.0
FIRST_ENROLMENT = dt.date(2019, 1, 1)
D, K, OUT = DeviceKind, CallKind, CallOutcome

DEVICE_WEIGHTS = (
    (D.HOTLINE, 40),
    (D.CALL_BUTTON, 30),
    (D.WEARABLE, 12),
    (D.FALL_RADAR, 8),
    (D.SMOKE_GAS_ALARM, 7),
    (D.OTHER, 3),
)
SERIAL_PREFIX = {
    D.CALL_BUTTON: "HJ",
    D.WEARABLE: "SH",
    D.FALL_RADAR: "LD",
    D.SMOKE_GAS_ALARM: "YG",
    D.OTHER: "QT",
}
# How often each device calls, relative to a call button.
CALL_RATE = {
    D.HOTLINE: 1.0,
    D.CALL_BUTTON: 1.0,
    D.WEARABLE: 1.2,
    D.FALL_RADAR: 0.8,
    D.SMOKE_GAS_ALARM: 0.3,
    D.OTHER: 0.5,
}
KINDS_BY_DEVICE = {
    D.HOTLINE: ((K.ENQUIRY, 45), (K.HEALTH, 28), (K.EMERGENCY, 17), (K.FALL, 5),
                (K.FALSE_ALARM, 5)),
    D.CALL_BUTTON: ((K.EMERGENCY, 25), (K.HEALTH, 25), (K.ENQUIRY, 20), (K.FALSE_ALARM, 25),
                    (K.FALL, 5)),
    D.WEARABLE: ((K.FALL, 20), (K.HEALTH, 30), (K.EMERGENCY, 15), (K.FALSE_ALARM, 35)),
    D.FALL_RADAR: ((K.FALL, 55), (K.FALSE_ALARM, 45)),
    D.SMOKE_GAS_ALARM: ((K.SMOKE_GAS, 45), (K.FALSE_ALARM, 55)),
    D.OTHER: ((K.EMERGENCY, 30), (K.HEALTH, 30), (K.FALSE_ALARM, 40)),
}  # fmt: skip
OUTCOMES_BY_KIND = {
    K.EMERGENCY: ((OUT.HOME_VISIT, 45), (OUT.AMBULANCE, 20), (OUT.FAMILY_CONTACTED, 30),
                  (OUT.UNREACHABLE, 5)),
    K.FALL: ((OUT.HOME_VISIT, 50), (OUT.AMBULANCE, 25), (OUT.FAMILY_CONTACTED, 22),
             (OUT.UNREACHABLE, 3)),
    K.HEALTH: ((OUT.BY_PHONE, 40), (OUT.FAMILY_CONTACTED, 30), (OUT.HOME_VISIT, 25),
               (OUT.AMBULANCE, 5)),
    K.SMOKE_GAS: ((OUT.HOME_VISIT, 70), (OUT.FAMILY_CONTACTED, 25), (OUT.UNREACHABLE, 5)),
    K.ENQUIRY: ((OUT.BY_PHONE, 100),),
    K.FALSE_ALARM: ((OUT.FALSE_ALARM, 100),),
}  # fmt: skip
# Minutes from the answer to the closing, by outcome.
HANDLING_MINUTES = {
    OUT.HOME_VISIT: (30, 180),
    OUT.AMBULANCE: (20, 120),
    OUT.FAMILY_CONTACTED: (5, 60),
    OUT.BY_PHONE: (3, 25),
    OUT.FALSE_ALARM: (1, 8),
    OUT.UNREACHABLE: (15, 90),
}
NOTES = {
    OUT.HOME_VISIT: "网格员上门查看并协助处置",
    OUT.AMBULANCE: "已呼叫120并通知家属",
    OUT.FAMILY_CONTACTED: "已联系子女上门照看",
    OUT.BY_PHONE: "电话解答并安抚",
    OUT.FALSE_ALARM: "老人确认误触",
    OUT.UNREACHABLE: "多次回拨未接通，已通知村（社区）跟进",
}
# Answers: a log-normal around a minute and a half, and a long tail of late answers at night.
ANSWER_MEDIAN_SECONDS = 95
ANSWER_SIGMA = 0.85
LATE_SHARE = 0.04
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 4, 6, 7, 7, 6, 5, 4, 4, 5, 5, 5, 5, 5, 4, 3, 2, 2, 1)
OPERATORS = 18

DEVICE_FIELDS = (
    "id", "uuid", "created_at", "updated_at", "person_id", "kind", "coverage", "serial",
    "enrolled_on", "ended_on", "note",
)  # fmt: skip
CALL_FIELDS = (
    "uuid", "created_at", "updated_at", "person_id", "device_id", "called_at", "kind",
    "responder_id", "responder_name", "responded_at", "response_seconds", "closed_at", "outcome",
    "note",
)  # fmt: skip


def _choose(rng: random.Random, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def _day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    if last <= first:
        return first
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


class Emergency:
    def __init__(self, rng: random.Random, today: dt.date):
        self.rng = rng
        self.today = today
        self.now = timezone.now()
        self.tz = timezone.get_current_timezone()
        self.group = list(
            Person.objects.filter(special_hardship_q(today))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        # Adaptations that installed a call device enrol it on their completion day.
        self.installed = dict(
            AdaptationItem.objects.filter(
                kind=ItemKind.EMERGENCY_CALL, project__completed_on__isnull=False
            )
            .order_by("project__person_id")
            .values_list("project__person_id", "project__completed_on")
        )
        self.serials = 0
        # (device pk, person, kind, enrolled, ended) of every device written.
        self.devices: list[tuple[int, int, str, dt.date, dt.date | None]] = []
        self.operators = [
            names.full_name(rng, rng.randint(1975, 1998), rng.random() < 0.3)
            for _ in range(OPERATORS)
        ]

    def serial(self, kind: str) -> str:
        if kind == D.HOTLINE:
            return ""
        self.serials += 1
        return f"{SERIAL_PREFIX[kind]}{self.serials:08d}"

    # Devices ---------------------------------------------------------------------------------

    def plan_devices(self) -> list[tuple[int, str, dt.date, dt.date | None]]:
        rng = self.rng
        planned = []
        for person in self.group:
            if person in self.installed:
                planned.append((person, D.CALL_BUTTON, self.installed[person], None))
            if rng.random() >= COVERED_SHARE:
                continue
            kind = _choose(rng, DEVICE_WEIGHTS)
            if person in self.installed and kind == D.CALL_BUTTON:
                continue
            enrolled = _day_between(rng, FIRST_ENROLMENT, self.today)
            if kind != D.HOTLINE and rng.random() < REPLACED_SHARE and enrolled.year < 2025:
                # The first device failed and was replaced by one of the same kind.
                ended = _day_between(rng, enrolled + dt.timedelta(days=90), self.today)
                planned.append((person, kind, enrolled, ended))
                enrolled = ended
            planned.append((person, kind, enrolled, None))
            if rng.random() < SECOND_DEVICE_SHARE and kind != D.SMOKE_GAS_ALARM:
                second = _day_between(rng, enrolled, self.today)
                planned.append((person, D.SMOKE_GAS_ALARM, second, None))
        return planned

    def write_devices(self) -> int:
        rng = self.rng
        planned = self.plan_devices()
        ids = iter(allocate_ids(CallDevice, len(planned)))
        writer = BulkWriter(CallDevice, DEVICE_FIELDS)
        for person, kind, enrolled, ended in planned:
            pk = next(ids)
            coverage = Coverage.HOTLINE if kind == D.HOTLINE else Coverage.DEVICE
            from_adaptation = kind == D.CALL_BUTTON and self.installed.get(person) == enrolled
            note = "居家适老化改造安装" if from_adaptation else ""
            writer.add(
                (pk, demo_uuid(rng), self.now, self.now, person, kind, coverage,
                 self.serial(kind), enrolled, ended, note)
            )  # fmt: skip
            self.devices.append((pk, person, kind, enrolled, ended))
        writer.flush()
        reset_sequences(CallDevice)
        return writer.written

    # Calls -----------------------------------------------------------------------------------

    def answer_seconds(self) -> int:
        rng = self.rng
        seconds = rng.lognormvariate(math.log(ANSWER_MEDIAN_SECONDS), ANSWER_SIGMA)
        if rng.random() < LATE_SHARE:
            seconds += rng.uniform(10 * 60, 120 * 60)
        return max(5, int(seconds))

    def call_time(self, first: dt.date, last: dt.date) -> dt.datetime:
        rng = self.rng
        day = _day_between(rng, first, last)
        hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
        moment = dt.datetime.combine(day, dt.time(hour, rng.randrange(60), rng.randrange(60)))
        return moment.replace(tzinfo=self.tz)

    def write_calls(self) -> tuple[int, int]:
        rng = self.rng
        writer = BulkWriter(CallEvent, CALL_FIELDS)
        window_start = self.today - dt.timedelta(days=364)
        latest = self.now - dt.timedelta(hours=6)  # older calls are all closed by now
        covered = {person for _pk, person, *_rest in self.devices}
        rate = CALLS_PER_COVERED_ELDER * len(covered) / max(1, len(self.devices))
        for pk, person, kind, enrolled, ended in self.devices:
            first = max(enrolled, window_start)
            last = min(ended or self.today, self.today)
            if last < first:
                continue
            years = ((last - first).days + 1) / 365
            expected = rate * CALL_RATE[kind] * years
            count = int(expected) + (rng.random() < expected - int(expected))
            for _ in range(count):
                called = self.call_time(first, last)
                if called > latest:
                    continue
                self.add_call(writer, person, pk, kind, called, close=True)
        opened = self.open_calls(writer)
        writer.flush()
        return writer.written, opened

    def add_call(self, writer, person, device, device_kind, called, *, close: bool, answer=True):
        rng = self.rng
        call_kind = _choose(rng, KINDS_BY_DEVICE[device_kind])
        responded = seconds = closed = None
        outcome = note = responder = ""
        if answer:
            seconds = self.answer_seconds()
            if not close:  # answered before now
                seconds = min(seconds, int((self.now - called).total_seconds()))
            responded = called + dt.timedelta(seconds=seconds)
            responder = rng.choice(self.operators)
        if close:
            outcome = _choose(rng, OUTCOMES_BY_KIND[call_kind])
            low, high = HANDLING_MINUTES[outcome]
            closed = responded + dt.timedelta(minutes=rng.uniform(low, high))
            note = NOTES[outcome]
        writer.add(
            (demo_uuid(rng), self.now, self.now, person, device, called, call_kind, None,
             responder, responded, seconds, closed, outcome, note)
        )  # fmt: skip

    def open_calls(self, writer) -> int:
        """A few calls of the last hours still open: some answered, some waiting."""
        rng = self.rng
        active = [d for d in self.devices if d[4] is None]
        if not active:
            return 0
        count = max(3, round(len(self.group) / 4000))
        for index in range(count):
            pk, person, kind, _enrolled, _ended = rng.choice(active)
            called = self.now - dt.timedelta(minutes=rng.randint(2, 180))
            self.add_call(writer, person, pk, kind, called, close=False, answer=index % 2 == 0)
        return count


def generate(seed: int, today: dt.date) -> dict[str, int]:
    run = Emergency(random.Random(f"{seed}:emergency"), today)
    devices = run.write_devices()
    calls, still_open = run.write_calls()
    return {"call devices": devices, "call events": calls, "call events open": still_open}
