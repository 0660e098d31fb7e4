"""Demo activity: classes, rosters, applications, waiting lists, offers and enrolments.

Every operating childcare provider with places gets classes whose sizes add up to its places
(each within its rule's largest size). The provider's own carers (保育员, employed today) are
shared out over the classes and put on duty every weekday from 6 weeks before the load date to
4 weeks after it; a class then takes about 70–85 % of its places, never more children than its
carers may look after at the rule's ratio (so providers short of carers run below that). Children
come from the provider's town and are of the class's ages on their start date; each has the
application and accepted offer that brought them in. Some seats had a child before: one who left
(退托) or one who turned 3 during the year and aged out on the birthday, taken from the registry's
children aged 3 (the demo's persons are all under 3 on the load date, so it has none unless
``people.py`` adds them). On top: waiting lists (some with priority groups), fresh applications,
pending, expired and declined offers, withdrawals and refusals.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from carecircle.core.dates import years_before
from carecircle.demo.bulk import BulkWriter, demo_uuid
from carecircle.enrolment.choices import (
    CARER_ROLES,
    ApplicationSource,
    ApplicationStatus,
    EndReason,
    Shift,
)
from carecircle.enrolment.models import (
    Application,
    ChildcareClass,
    ClassRule,
    Enrolment,
    Offer,
    PriorityGroup,
    StaffDuty,
)
from carecircle.enrolment.models.config import months_between, third_birthday
from carecircle.enrolment.services import CODE_ALPHABET
from carecircle.institutions.choices import CHILDCARE_KINDS, ProviderKind, ServiceMode
from carecircle.institutions.models import Provider, Staff
from carecircle.persons.choices import ContactRelation
from carecircle.persons.models import Contact, Person

ROSTER_BACK_DAYS = 42
ROSTER_AHEAD_DAYS = 28
HISTORY_DAYS = 330
OFFER_DAYS = 7
# Class patterns by provider kind (rule codes), repeated until the places are covered.
PATTERN = {
    ProviderKind.CHILDCARE_STANDALONE: ("older_toddler", "toddler", "infant", "older_toddler"),
    ProviderKind.KINDERGARTEN_CLASS: ("older_toddler",),
    ProviderKind.COMMUNITY_POINT: ("mixed",),
    ProviderKind.FAMILY_POINT: ("mixed",),
    ProviderKind.EMPLOYER_RUN: ("toddler", "older_toddler"),
}
FEE_FACTOR = {"infant": 1.2, "toddler": 1.1, "older_toddler": 1.0, "mixed": 1.0}
DEFAULT_FEE = 1800

CLASS_FIELDS = ("uuid", "created_at", "updated_at", "provider_id", "name", "rule_id", "mode",
                "monthly_fee", "affordable_fee", "capacity", "opened_on", "closed_on")  # fmt: skip
DUTY_FIELDS = ("uuid", "created_at", "updated_at", "childcare_class_id", "staff_id", "date",
               "shift")  # fmt: skip
PERSON_FIELDS = ("uuid", "created_at", "updated_at", "id_number_encrypted", "id_number_index",
                 "id_number_masked", "domain", "name", "birth_date", "sex", "area_id", "address",
                 "latitude", "longitude", "phone", "living_arrangement", "disability_kind",
                 "disability_grade", "death_date", "moved_out_on", "merged_into_id")  # fmt: skip
RESIDENCE_FIELDS = ("uuid", "created_at", "updated_at", "person_id", "area_id", "address",
                    "valid_from", "valid_to")  # fmt: skip
CONTACT_FIELDS = ("uuid", "created_at", "updated_at", "person_id", "relation", "relationship",
                  "name_encrypted", "phone_encrypted", "name_masked", "phone_masked")  # fmt: skip
APPLICATION_FIELDS = ("uuid", "created_at", "updated_at", "id_number_encrypted",
                      "id_number_index", "id_number_masked", "reference_code", "provider_id",
                      "childcare_class_id", "mode", "area_id", "child_id", "child_name",
                      "birth_date", "sex", "guardian_relationship", "guardian_name_encrypted",
                      "guardian_phone_encrypted", "guardian_name_masked", "guardian_phone_masked",
                      "wanted_start", "submitted_at", "source", "status", "status_changed_at",
                      "decision_note", "consent_at")  # fmt: skip
OFFER_FIELDS = ("uuid", "created_at", "updated_at", "application_id", "childcare_class_id",
                "start_on", "made_at", "expires_at", "accepted_at", "declined_at", "lapsed_at",
                "made_by_id", "out_of_order_reason")  # fmt: skip
ENROLMENT_FIELDS = ("uuid", "created_at", "updated_at", "provider_id", "child_id",
                    "childcare_class_id", "application_id", "started_on", "ended_on",
                    "end_reason")  # fmt: skip


@dataclass
class Child:
    pk: int
    birth: dt.date
    sex: str
    name: str
    area_id: int
    id_encrypted: str
    id_index: str
    id_masked: str
    guardian: tuple = ()  # relationship, name ciphertext, phone ciphertext, name mask, phone mask


@dataclass
class Seat:
    """One place of a class over the year: its current child, maybe a child before."""

    child: Child
    start: dt.date


@dataclass
class Plan:
    pk: int
    provider_id: int
    town: str
    rule: ClassRule
    mode: str
    capacity: int
    opened_on: dt.date
    carers: list[int] = field(default_factory=list)
    target: int = 0
    spare: bool = False  # kept room under its carers' ratio


class Generator:
    def __init__(self, seed: int, today: dt.date):
        self.rng = random.Random(f"{seed}:enrolment")
        self.today = today
        self.now = timezone.now()
        self.tz = timezone.get_default_timezone()
        self.rules = {rule.code: rule for rule in ClassRule.objects.order_by("pk")}
        self.groups = list(PriorityGroup.objects.filter(active=True).order_by("rank", "pk"))
        self.codes: set[str] = set(Application.objects.values_list("reference_code", flat=True))
        self.used: set[int] = set(
            Enrolment.objects.filter(ended_on__isnull=True).values_list("child_id", flat=True)
        )
        self.counts: dict[str, int] = defaultdict(int)

    # Helpers ----------------------------------------------------------------------------------

    def at(self, day: dt.date, hour_from: int = 8, hour_to: int = 20) -> dt.datetime:
        moment = dt.time(self.rng.randrange(hour_from, hour_to), self.rng.randrange(60))
        return dt.datetime.combine(day, moment, tzinfo=self.tz)

    def code(self) -> str:
        while True:
            body = "".join(self.rng.choice(CODE_ALPHABET) for _ in range(12))
            code = f"TY-{body[:4]}-{body[4:8]}-{body[8:]}"
            if code not in self.codes:
                self.codes.add(code)
                return code

    def rows(self, model, fields):
        return BulkWriter(model, fields)

    # Classes ----------------------------------------------------------------------------------

    def providers(self):
        return list(
            Provider.objects.filter(kind__in=CHILDCARE_KINDS)
            .operating_on(self.today)
            .with_capacity(self.today)
            .filter(cap_places_total__gt=0)
            .order_by("pk")
            .values_list(
                "pk", "kind", "monthly_fee", "service_modes", "cap_places_total",
                "cap_places_affordable", "area__path", "opened_on",
            )
        )  # fmt: skip

    def class_sizes(self, kind: str, places: int) -> list[str]:
        pattern = PATTERN.get(kind, ("mixed",))
        bands: list[str] = []
        while sum(self.rules[b].max_children for b in bands) < places:
            bands.append(pattern[len(bands) % len(pattern)])
        return bands

    def build_classes(self, providers) -> list[Plan]:
        writer = self.rows(ChildcareClass, CLASS_FIELDS)
        plans: list[Plan] = []
        uuids = []
        for pk, kind, fee, modes, places, affordable, path, opened in providers:
            bands = self.class_sizes(kind, places)
            maxima = [self.rules[b].max_children for b in bands]
            sizes = [max(1, m * places // sum(maxima)) for m in maxima]
            i = 0
            while sum(sizes) < places:  # hand out the remainder, never above a rule's maximum
                if sizes[i % len(sizes)] < maxima[i % len(maxima)]:
                    sizes[i % len(sizes)] += 1
                i += 1
            numbering: dict[str, int] = defaultdict(int)
            half_day = ServiceMode.HALF_DAY in (modes or []) and len(bands) >= 3
            opened_on = max(opened, self.today - dt.timedelta(days=400))
            for index, (band, size) in enumerate(zip(bands, sizes, strict=True)):
                rule = self.rules[band]
                numbering[band] += 1
                mode = (
                    ServiceMode.HALF_DAY
                    if half_day and index == len(bands) - 1
                    else ServiceMode.FULL_DAY
                )
                monthly = float(fee or DEFAULT_FEE) * FEE_FACTOR[band]
                if mode == ServiceMode.HALF_DAY:
                    monthly *= 0.6
                monthly = round(monthly, -1)
                if not affordable:
                    affordable_fee = None
                elif affordable >= places:
                    affordable_fee = monthly
                else:
                    affordable_fee = round(monthly * 0.7, -1)
                uuid = demo_uuid(self.rng)
                uuids.append(uuid)
                writer.add(
                    (uuid, self.now, self.now, pk, f"{rule.name}（{numbering[band]}）", rule.pk,
                     mode, monthly, affordable_fee, size, opened_on, None)
                )  # fmt: skip
                town = "/".join(path.split("/")[:4]) + "/"
                plans.append(Plan(0, pk, town, rule, mode, size, opened_on))
        writer.flush()
        ids = dict(ChildcareClass.objects.filter(uuid__in=uuids).values_list("uuid", "pk"))
        for plan, uuid in zip(plans, uuids, strict=True):
            plan.pk = ids[uuid]
        self.counts["childcare_classes"] = len(plans)
        return plans

    # Carers and rosters -----------------------------------------------------------------------

    def staff_carers(self, plans: list[Plan]) -> dict[int, list[tuple[int, dt.date, dt.date]]]:
        rows = (
            Staff.objects.filter(
                provider_id__in={p.provider_id for p in plans},
                role__in=CARER_ROLES,
                hired_on__lte=self.today,
            )
            .filter(Q(left_on__isnull=True) | Q(left_on__gt=self.today))
            .order_by("provider_id", "pk")
            .values_list("provider_id", "pk", "hired_on", "left_on")
        )
        carers = defaultdict(list)
        for provider_id, pk, hired, left in rows:
            carers[provider_id].append((pk, hired, left))
        return carers

    def assign_carers(self, plans: list[Plan]) -> None:
        """Share each provider's carers over its classes: the largest unmet need first."""
        carers = self.staff_carers(plans)
        by_provider = defaultdict(list)
        for plan in plans:
            by_provider[plan.provider_id].append(plan)
        for provider_id, classes in by_provider.items():
            wanted = {}
            for plan in classes:
                share = self.rng.uniform(0.70, 0.85)
                wanted[plan.pk] = max(1, round(plan.capacity * share))
            for pk, _hired, _left in carers.get(provider_id, []):
                need = [
                    (plan.rule.carers_needed(wanted[plan.pk]) - len(plan.carers), -plan.pk, plan)
                    for plan in classes
                ]
                gap, _key, plan = max(need, key=lambda item: (item[0], item[1]))
                if gap <= 0:
                    break  # every class has enough; the rest are not needed on the roster
                plan.carers.append(pk)
            for plan in classes:
                plan.target = min(wanted[plan.pk], len(plan.carers) * plan.rule.children_per_carer)
            # Where the carers are the limit, the largest such class keeps room for two more
            # children (its waiting list can be offered and enrolled within the rules).
            bound = [
                p
                for p in classes
                if p.carers and p.target == len(p.carers) * p.rule.children_per_carer
            ]
            if bound:
                roomy = max(bound, key=lambda p: (p.capacity, -p.pk))
                roomy.target = max(roomy.target - 2, 0)
                roomy.spare = True

    def write_duties(self, plans: list[Plan]) -> None:
        staff_dates = {
            pk: (hired, left)
            for provider in self.staff_carers(plans).values()
            for pk, hired, left in provider
        }
        first = self.today - dt.timedelta(days=ROSTER_BACK_DAYS)
        last = self.today + dt.timedelta(days=ROSTER_AHEAD_DAYS)
        weekdays = [
            first + dt.timedelta(days=i)
            for i in range((last - first).days + 1)
            if (first + dt.timedelta(days=i)).weekday() < 5
        ]
        writer = self.rows(StaffDuty, DUTY_FIELDS)
        for plan in plans:
            for staff_pk in plan.carers:
                hired, left = staff_dates[staff_pk]
                for day in weekdays:
                    if day < plan.opened_on or day < hired or (left and day >= left):
                        continue
                    writer.add(
                        (demo_uuid(self.rng), self.now, self.now, plan.pk, staff_pk, day,
                         Shift.FULL_DAY)
                    )  # fmt: skip
        writer.flush()
        self.counts["staff_duties"] = writer.written

    # Children ---------------------------------------------------------------------------------

    def children_by_town(self, aged_three: bool = False) -> dict[str, list[Child]]:
        """Children under 3 by town; or, with ``aged_three``, the registry's children who
        turned 3 during the last year (the ones who aged out of a class)."""
        if aged_three:
            present = Person.objects.present_on(self.today).filter(
                birth_date__gt=years_before(self.today, 4),
                birth_date__lte=years_before(self.today, 3),
            )
        else:
            present = Person.objects.children_under_3(self.today)
        children = (
            present.filter(domain="childcare")
            .order_by("pk")
            .values_list(
                "pk", "birth_date", "sex", "name", "area_id", "area__path",
                "id_number_encrypted", "id_number_index", "id_number_masked",
            )
        )  # fmt: skip
        by_town: dict[str, list[Child]] = defaultdict(list)
        index: dict[int, Child] = {}
        for pk, birth, sex, name, area_id, path, encrypted, blind, masked in children:
            child = Child(pk, birth, sex, name, area_id, encrypted, blind, masked)
            by_town["/".join(path.split("/")[:4]) + "/"].append(child)
            index[pk] = child
        guardians = (
            Contact.objects.filter(person_id__in=list(index), relation=ContactRelation.GUARDIAN)
            .order_by("person_id", "-relationship", "pk")
            .values_list(
                "person_id", "relationship", "name_encrypted", "phone_encrypted", "name_masked",
                "phone_masked",
            )
        )  # fmt: skip
        for person_id, *details in guardians:
            child = index[person_id]
            if not child.guardian or details[0] == "母亲":
                child.guardian = tuple(details)
        for town in by_town.values():
            self.rng.shuffle(town)
        return by_town

    def take(self, pool: list[Child], fits) -> Child | None:
        for i, child in enumerate(pool):
            if child.pk not in self.used and fits(child):
                self.used.add(child.pk)
                pool.pop(i)
                return child
        return None

    # Applications, offers, enrolments ---------------------------------------------------------

    def application(self, plan: Plan, child: Child, status: str, submitted: dt.datetime,
                    wanted: dt.date, note: str = "") -> tuple:  # fmt: skip
        uuid = demo_uuid(self.rng)
        relationship, name_enc, phone_enc, name_mask, phone_mask = child.guardian or (
            "母亲", "", "", "", "",
        )  # fmt: skip
        source = ApplicationSource.PORTAL if self.rng.random() < 0.6 else ApplicationSource.STAFF
        self.applications.add(
            (uuid, self.now, self.now, child.id_encrypted, child.id_index, child.id_masked,
             self.code(), plan.provider_id, plan.pk, plan.mode, child.area_id, child.pk,
             child.name, child.birth, child.sex, relationship, name_enc, phone_enc, name_mask,
             phone_mask, wanted, submitted, source, status, submitted, note, submitted)
        )  # fmt: skip
        self.counts[f"applications_{status}"] += 1
        if self.groups and self.rng.random() < 0.3:
            self.wanted_groups.append((uuid, self.rng.choice(self.groups).pk))
        return uuid

    def offer(self, app_uuid, plan: Plan, start: dt.date, made: dt.datetime, answer: str):
        expires = made + dt.timedelta(days=OFFER_DAYS)
        answered = made + dt.timedelta(hours=self.rng.randrange(2, OFFER_DAYS * 24 - 2))
        accepted = answered if answer == "accepted" else None
        declined = answered if answer == "declined" else None
        lapsed = expires if answer == "lapsed" else None
        self.offers.append(
            (app_uuid, (demo_uuid(self.rng), self.now, self.now, plan.pk, start, made, expires,
                        accepted, declined, lapsed, None, ""))
        )  # fmt: skip

    def enrol(self, app_uuid, plan: Plan, child_pk: int, start: dt.date, end=None, reason=""):
        self.enrolments.append(
            (app_uuid, (demo_uuid(self.rng), self.now, self.now, plan.provider_id, child_pk,
                        plan.pk, start, end, reason))
        )  # fmt: skip
        self.counts["enrolments_current" if end is None else f"enrolments_{reason}"] += 1

    def fill_class(self, plan: Plan, pool: list[Child]) -> None:
        rng, today, rule = self.rng, self.today, plan.rule
        earliest = max(plan.opened_on, today - dt.timedelta(days=HISTORY_DAYS))
        for _seat in range(plan.target):
            child = self.take(pool, lambda c: rule.takes_age(months_between(c.birth, today)))
            if child is None:
                break
            # Start when the child was already of the class's ages, within the year.
            reached = child.birth + dt.timedelta(days=max(30 * rule.min_months - 5, 0))
            while months_between(child.birth, reached) < rule.min_months:
                reached += dt.timedelta(days=1)
            start_from = max(earliest, reached)
            start = start_from + dt.timedelta(days=rng.randrange(max((today - start_from).days, 1)))
            start = self.weekday(start, start_from, child, rule)
            submitted = self.at(start - dt.timedelta(days=rng.randrange(13, 60)))
            made = self.at(start - dt.timedelta(days=rng.randrange(8, 12)))
            app = self.application(plan, child, ApplicationStatus.ENROLLED, submitted, start)
            self.offer(app, plan, start, made, "accepted")
            self.enrol(app, plan, child.pk, start)
            self.seat_before(plan, pool, earliest, start)

    def weekday(self, start: dt.date, earliest: dt.date, child: Child, rule) -> dt.date:
        """Children start on a weekday (classes meet Monday to Friday): the Friday before,
        or the Monday after when the Friday is too early for the child or the class."""
        if start.weekday() < 5:
            return start
        friday = start - dt.timedelta(days=start.weekday() - 4)
        if friday >= earliest:
            return friday
        monday = start + dt.timedelta(days=7 - start.weekday())
        return monday if rule.takes_age(months_between(child.birth, monday)) else start

    def seat_before(self, plan: Plan, pool: list[Child], earliest: dt.date, start: dt.date):
        """Who held the seat earlier in the year: a child who aged out, or one who left."""
        rng = self.rng
        if (start - earliest).days < 60:
            return
        roll = rng.random()
        ages_out = plan.rule.max_months >= 36 and roll < 0.12
        if ages_out:
            window = (earliest + dt.timedelta(days=40), start)
            child = self.take(
                self.older_pools.get(plan.town, []),
                lambda c: window[0] <= third_birthday(c.birth) <= window[1],
            )
            if child is None:
                return
            birthday = third_birthday(child.birth)
            started = max(earliest - dt.timedelta(days=rng.randrange(0, 200)), plan.opened_on)
            while months_between(child.birth, started) < plan.rule.min_months:
                started += dt.timedelta(days=30)
            if started < birthday:
                self.enrol(None, plan, child.pk, started, birthday, EndReason.AGED_OUT)
        elif roll < 0.2:
            rule = plan.rule
            child = self.take(
                pool,
                lambda c: (
                    rule.takes_age(months_between(c.birth, earliest))
                    and months_between(c.birth, start) < 36
                ),
            )
            if child is None:
                return
            ended = earliest + dt.timedelta(days=rng.randrange(30, (start - earliest).days))
            self.enrol(None, plan, child.pk, earliest, ended, EndReason.WITHDRAWN)

    def queue(self, plan: Plan, pool: list[Child], provider_affordable: bool) -> None:
        """Applications still in play for a class: waiting, fresh, offered; and closed ones."""
        rng, today, rule = self.rng, self.today, plan.rule
        vacancies = plan.capacity - plan.target

        def fits(child: Child) -> bool:
            months = months_between(child.birth, today)
            return rule.min_months <= months < rule.max_months - 1

        popular = provider_affordable or vacancies <= 0
        waiting = rng.randrange(1, 5) if popular and rng.random() < 0.5 else 0
        if plan.spare:
            waiting = max(waiting, 2)
        if rng.random() < 0.2:
            waiting += rng.randrange(1, 3)
        for _i in range(waiting):
            child = self.take(pool, fits)
            if child is None:
                return
            submitted = self.at(today - dt.timedelta(days=rng.randrange(8, 120)))
            wanted = today + dt.timedelta(days=rng.randrange(0, 30))
            self.application(plan, child, ApplicationStatus.WAITING, submitted, wanted)
        for status, share in (
            (ApplicationStatus.SUBMITTED, 0.4),
            (ApplicationStatus.OFFERED, 0.25 if vacancies > 0 else 0.0),
            (ApplicationStatus.OFFER_EXPIRED, 0.2),
            (ApplicationStatus.WITHDRAWN, 0.15),
            (ApplicationStatus.REFUSED, 0.08),
        ):
            if rng.random() >= share:
                continue
            child = self.take(pool, fits)
            if child is None:
                return
            wanted = today + dt.timedelta(days=rng.randrange(3, 30))
            if status == ApplicationStatus.SUBMITTED:
                submitted = self.at(today - dt.timedelta(days=rng.randrange(0, 6)))
                self.application(plan, child, status, submitted, wanted)
            elif status == ApplicationStatus.OFFERED:
                submitted = self.at(today - dt.timedelta(days=rng.randrange(20, 90)))
                app = self.application(plan, child, status, submitted, wanted)
                made = self.now - dt.timedelta(hours=rng.randrange(2, (OFFER_DAYS - 1) * 24))
                self.offer(app, plan, wanted, made, "pending")
            elif status == ApplicationStatus.OFFER_EXPIRED:
                made_day = today - dt.timedelta(days=rng.randrange(OFFER_DAYS + 2, 90))
                submitted = self.at(made_day - dt.timedelta(days=rng.randrange(10, 60)))
                app = self.application(plan, child, status, submitted, made_day)
                self.offer(app, plan, made_day + dt.timedelta(days=10), self.at(made_day),
                           "lapsed")  # fmt: skip
            elif status == ApplicationStatus.WITHDRAWN:
                made_day = today - dt.timedelta(days=rng.randrange(15, 120))
                submitted = self.at(made_day - dt.timedelta(days=rng.randrange(10, 60)))
                app = self.application(plan, child, status, submitted, made_day, "家庭放弃录取")
                self.offer(app, plan, made_day + dt.timedelta(days=10), self.at(made_day),
                           "declined")  # fmt: skip
            else:
                submitted = self.at(today - dt.timedelta(days=rng.randrange(10, 120)))
                self.application(
                    plan, child, status, submitted, wanted, "所选日期班级无对应月龄空位"
                )

    # Writing ----------------------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        providers = self.providers()
        affordable = {pk: bool(aff) for pk, _k, _f, _m, _p, aff, _path, _o in providers}
        plans = self.build_classes(providers)
        self.assign_carers(plans)
        self.write_duties(plans)
        pools = self.children_by_town()
        self.older_pools = self.children_by_town(aged_three=True)
        self.applications = self.rows(Application, APPLICATION_FIELDS)
        self.wanted_groups: list[tuple] = []
        self.offers: list[tuple] = []
        self.enrolments: list[tuple] = []
        for plan in plans:
            self.fill_class(plan, pools[plan.town])
        for plan in plans:
            self.queue(plan, pools[plan.town], affordable[plan.provider_id])
        self.applications.flush()
        app_ids = dict(
            Application.objects.filter(
                uuid__in=[u for u, _g in self.wanted_groups]
                + [u for u, _o in self.offers]
                + [u for u, _e in self.enrolments if u]
            ).values_list("uuid", "pk")
        )
        link = Application.priority_groups.through
        groups = self.rows(link, ("application_id", "prioritygroup_id"))
        for uuid, group in self.wanted_groups:
            groups.add((app_ids[uuid], group))
        groups.flush()
        offers = self.rows(Offer, OFFER_FIELDS)
        for uuid, (o_uuid, c, u, class_pk, *rest) in self.offers:
            offers.add((o_uuid, c, u, app_ids[uuid], class_pk, *rest))
        offers.flush()
        enrolments = self.rows(Enrolment, ENROLMENT_FIELDS)
        for uuid, (e_uuid, c, u, provider, child, class_pk, start, end, reason) in self.enrolments:
            enrolments.add(
                (e_uuid, c, u, provider, child, class_pk, app_ids.get(uuid), start, end, reason)
            )
        enrolments.flush()
        self.counts["offers"] = offers.written
        self.counts["childcare_class_places"] = sum(plan.capacity for plan in plans)
        return dict(self.counts)


def generate(seed: int, today: dt.date) -> dict[str, int]:
    if not ClassRule.objects.exists():
        return {}
    return Generator(seed, today).run()


def busiest_provider(today: dt.date | None = None) -> int | None:
    """The childcare provider with the most children enrolled today (for the demo account of a
    childcare provider's staff); ties go to the lower id."""
    from django.db.models import Count

    today = today or timezone.localdate()
    busiest = (
        Enrolment.objects.active_on(today)
        .values("provider")
        .annotate(children=Count("pk"))
        .order_by("-children", "provider")
        .first()
    )
    return busiest["provider"] if busiest else None
