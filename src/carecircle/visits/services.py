"""Workflows of the visits app and the checks that forms, the API and the pages share.

* calendar months and the monthly due list: the special-hardship elders (``persons.groups``) of a
  user's scope with no visit in a month, with their last visit and the overdue alerts;
* recording a visit and completing its follow-up;
* 一助一: helpers with free capacity, suggestions by great-circle distance, pairing, ending a pair
  and logging help;
* wishes for concentrated care (集中供养) and whether each is met by an open residency.

Every check raises ``ValidationError`` with a Chinese message naming the field.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from carecircle.areas.models import Area
from carecircle.core.choices import Domain
from carecircle.institutions.choices import (
    COMMUNITY_FACILITY_KINDS,
    ELDERLY_INSTITUTION_KINDS,
    ProviderKind,
)
from carecircle.institutions.models import Provider, Residency
from carecircle.persons.choices import HardshipKind, LivingArrangement
from carecircle.persons.groups import (
    OLD_AGE,
    SEVERE_DISABILITY_GRADES,
    elder_q,
    flagged_q,
    special_hardship_q,
)
from carecircle.persons.models import HardshipFlag, Person
from carecircle.visits.choices import VisitFinding
from carecircle.visits.models import CareWish, Helper, HelpLog, Pairing, Visit

# Local thresholds: defaults here, overridden in settings.
DEFAULT_HELPER_MAX_ELDERS = 3
DEFAULT_STALE_DAYS = 45
EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)
SUGGESTION_LIMIT = 10


def helper_max_elders() -> int:
    """Elders one helper may be paired with at a time (``CARECIRCLE_HELPER_MAX_ELDERS``)."""
    return int(getattr(settings, "CARECIRCLE_HELPER_MAX_ELDERS", DEFAULT_HELPER_MAX_ELDERS))


def stale_days() -> int:
    """A last visit older than this many days is overdue (``CARECIRCLE_VISIT_STALE_DAYS``)."""
    return int(getattr(settings, "CARECIRCLE_VISIT_STALE_DAYS", DEFAULT_STALE_DAYS))


def today() -> dt.date:
    return timezone.localdate()


# Months ------------------------------------------------------------------------------------------

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str | None, default: dt.date) -> Month:
        """``2025-03``; anything else (or a month after ``default``'s) gives ``default``'s month."""
        current = cls.of(default)
        match = _MONTH.match((text or "").strip())
        if not match:
            return current
        month = cls(int(match.group(1)), int(match.group(2)))
        return min(month, current)

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def code(self) -> str:
        return f"{self.year}-{self.month:02d}"

    def label(self) -> str:
        return _("%(y)s年%(m)s月") % {"y": self.year, "m": self.month}

    def previous(self) -> Month:
        return Month.of(self.first - dt.timedelta(days=1))

    def following(self) -> Month:
        return Month.of(self.last + dt.timedelta(days=1))

    def snapshot(self, on: dt.date) -> dt.date:
        """The day the month is looked at: its last day, or ``on`` while it runs."""
        return min(self.last, on)


# The target group and its visits --------------------------------------------------------------


def visited_between(first: dt.date, last: dt.date, person_ref: str = "pk") -> Exists:
    """The outer row's person has a visit dated ``first`` to ``last`` (both included)."""
    visits = Visit.objects.filter(
        person=OuterRef(person_ref), visited_on__gte=first, visited_on__lte=last
    )
    return Exists(visits)


def last_visit_on(on: dt.date, person_ref: str = "pk") -> Subquery:
    visits = Visit.objects.filter(person=OuterRef(person_ref), visited_on__lte=on)
    return Subquery(visits.order_by("-visited_on").values("visited_on")[:1])


def scoped_elders(user) -> QuerySet[Person]:
    """The user's elders (``Person.objects.for_user``), as a primary-key list the database
    resolves first: otherwise SQLite may walk every person through the ``merged_into`` index and
    evaluate a group's subqueries for each."""
    mine = Person.objects.for_user(user).filter(domain=Domain.ELDERLY)
    if getattr(user, "scope_area", None) is not None:
        # The same rows, reached through the area index rather than a scan of persons.
        mine = mine.filter(area__in=Area.objects.subtree(user.scope_area).values("pk"))
    return Person.objects.filter(pk__in=mine.values("pk"))


def may_be_in_group_q(prefix: str = "") -> Q:
    """A necessary condition of ``special_hardship_q`` on any day, cheap to test first: living
    alone, a severe disability or any hardship flag ever."""
    p = f"{prefix}__" if prefix else ""
    flags = HardshipFlag.objects.filter(person=OuterRef(f"{p}pk"))
    return (
        Q(**{f"{p}living_arrangement": LivingArrangement.ALONE})
        | Q(**{f"{p}disability_grade__in": SEVERE_DISABILITY_GRADES})
        | Q(Exists(flags))
    )


def special_hardship_elders(user, on: dt.date) -> QuerySet[Person]:
    """The user's elders in special hardship on ``on`` (``persons.groups.special_hardship_q``)."""
    return scoped_elders(user).filter(may_be_in_group_q()).filter(special_hardship_q(on))


def _flag(condition: Q) -> Case:
    """True or False (never NULL, which a condition on a nullable column can give)."""
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


@dataclass
class DueQuery:
    """The month's due list: its month, snapshot day and the elders not yet visited."""

    month: Month
    on: dt.date
    group: QuerySet[Person]  # the whole group on ``on``, annotated
    due: QuerySet[Person]  # not visited in the month up to ``on``
    stale_before: dt.date  # a last visit before this day is "stale"


def due_query(user, month: Month, on: dt.date | None = None, days: int | None = None) -> DueQuery:
    """The special-hardship elders of the user's scope on the month's snapshot day, annotated
    with their last visit (up to that day), whether they were visited in the month and whether
    they were missed the month before (in the group at its end and not visited in it)."""
    on = month.snapshot(on or today())
    previous = month.previous()
    days = stale_days() if days is None else days
    group = special_hardship_elders(user, on).annotate(
        last_visited_on=last_visit_on(on),
        visited_in_month=_flag(Q(visited_between(month.first, on))),
        missed_previous=_flag(
            special_hardship_q(previous.last) & ~Q(visited_between(previous.first, previous.last))
        ),
    )
    due = group.filter(visited_in_month=False)
    return DueQuery(month, on, group, due, on - dt.timedelta(days=days))


def stale_q(stale_before: dt.date) -> Q:
    return Q(last_visited_on__isnull=True) | Q(last_visited_on__lt=stale_before)


def due_by_village(query: DueQuery) -> list[dict]:
    """Per village (the elder's current one), in code order: the group, visited, due, due and
    missed the month before, due and stale. One grouped query."""
    not_visited = Q(visited_in_month=False)
    rows = (
        query.group.values("area__code", "area__name")
        .annotate(
            total=Count("pk"),
            visited=Count("pk", filter=Q(visited_in_month=True)),
            missed=Count("pk", filter=not_visited & Q(missed_previous=True)),
            stale=Count("pk", filter=not_visited & stale_q(query.stale_before)),
        )
        .order_by("area__code")
    )
    out = []
    for row in rows:
        total, visited = row["total"], row["visited"]
        out.append(
            {
                "code": row["area__code"],
                "name": row["area__name"],
                "total": total,
                "visited": visited,
                "due": total - visited,
                "missed": row["missed"],
                "stale": row["stale"],
                "rate": round(100 * visited / total, 1) if total else None,
            }
        )
    return out


def due_summary(villages: list[dict]) -> dict[str, int]:
    """The cards' counts: the villages' rows added up."""
    keys = ("total", "visited", "due", "missed", "stale")
    return {key: sum(row[key] for row in villages) for key in keys}


def hardship_reasons(person: Person, on: dt.date) -> list[str]:
    """Why an elder is in the group: active flags (prefetched as ``active_flags``), severe
    disability, 80+ living alone."""
    reasons = [str(flag.get_kind_display()) for flag in getattr(person, "active_flags", [])]
    if person.disability_grade in SEVERE_DISABILITY_GRADES:
        reasons.append(_("重度残疾"))
    if person.living_arrangement == LivingArrangement.ALONE and person.age_on(on) >= OLD_AGE:
        reasons.append(_("高龄独居"))
    return reasons


# Visits -------------------------------------------------------------------------------------


def visiting_providers(area: Area, on: dt.date | None = None) -> QuerySet[Provider]:
    """Providers that may carry out a purchased visit in ``area``: operating community
    elderly-service facilities located in its town (street) or listing it, or a unit above it,
    among their service areas."""
    on = on or today()
    kinds = [k for k in COMMUNITY_FACILITY_KINDS if k != ProviderKind.ELDERLY_UNIVERSITY]
    town = area.parent if area.parent_id else area
    above = Area.objects.filter(code__in=area.ancestor_codes)
    located = Q(area__path__startswith=town.path)
    listed = Q(service_areas__in=above)
    ids = (
        Provider.objects.filter(kind__in=kinds, opened_on__lte=on)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on))
        .filter(located | listed)
        .values("pk")
    )
    return Provider.objects.filter(pk__in=ids).order_by("area__code", "name")


def _check_person_present(person: Person, on: dt.date, field: str) -> None:
    if person.domain != Domain.ELDERLY or person.merged_into_id:
        raise ValidationError({field: _("只能为在册的老年人登记")})
    if person.death_date and person.death_date <= on:
        raise ValidationError({field: _("该老人已于 %(d)s 去世") % {"d": person.death_date}})
    if person.moved_out_on and person.moved_out_on <= on:
        raise ValidationError({field: _("该老人已于 %(d)s 迁出") % {"d": person.moved_out_on}})


def _not_future(value: dt.date | None, field: str, label: str) -> None:
    if value and value > today():
        raise ValidationError({field: _("%(f)s不能晚于今天") % {"f": label}})


def check_visit(
    person: Person,
    *,
    visited_on: dt.date,
    findings: list[str],
    follow_up_needed: bool,
    follow_up_done_on: dt.date | None,
    provider: Provider | None,
) -> None:
    """A visit's rules (form, API and import alike)."""
    _not_future(visited_on, "visited_on", _("探访日期"))
    if visited_on < person.birth_date:
        raise ValidationError({"visited_on": _("探访日期不能早于出生日期")})
    _check_person_present(person, visited_on, "visited_on")
    unknown = [code for code in findings if code not in VisitFinding.values]
    if unknown:
        raise ValidationError({"findings": _("未知的探访情况：%(v)s") % {"v": "、".join(unknown)}})
    if VisitFinding.NORMAL in findings and len(set(findings)) > 1:
        raise ValidationError({"findings": _("“正常”不能与其他情况同时选择")})
    if follow_up_done_on is not None:
        if not follow_up_needed:
            raise ValidationError(
                {"follow_up_done_on": _("未勾选“需要跟进”时不能填写跟进完成日期")}
            )
        if follow_up_done_on < visited_on:
            raise ValidationError({"follow_up_done_on": _("跟进完成日期不能早于探访日期")})
        _not_future(follow_up_done_on, "follow_up_done_on", _("跟进完成日期"))
    if provider is not None and not visiting_providers(person.area, visited_on).filter(
        pk=provider.pk
    ):
        raise ValidationError(
            {"provider": _("该机构不是本村（社区）所在镇（街道）的居家社区养老服务机构")}
        )


def record_visit(visit: Visit, user) -> Visit:
    """Check and save a new visit, remembering who recorded it."""
    visit.findings = list(dict.fromkeys(visit.findings or []))
    check_visit(
        visit.person,
        visited_on=visit.visited_on,
        findings=visit.findings,
        follow_up_needed=visit.follow_up_needed,
        follow_up_done_on=visit.follow_up_done_on,
        provider=visit.provider,
    )
    if visit.pk is None and getattr(user, "is_authenticated", False):
        visit.recorded_by = user
    visit.save()
    return visit


def complete_follow_up(visit: Visit, on: dt.date) -> Visit:
    if not visit.follow_up_needed:
        raise ValidationError({"follow_up_done_on": _("该探访无需跟进")})
    if on < visit.visited_on:
        raise ValidationError({"follow_up_done_on": _("跟进完成日期不能早于探访日期")})
    _not_future(on, "follow_up_done_on", _("跟进完成日期"))
    visit.follow_up_done_on = on
    visit.save(update_fields=["follow_up_done_on", "updated_at"])
    return visit


def pending_follow_ups(user) -> QuerySet[Visit]:
    return Visit.objects.for_user(user).filter(
        follow_up_needed=True, follow_up_done_on__isnull=True
    )


# 一助一 pairing ---------------------------------------------------------------------------------


def active_pairing_q(person_ref: str = "pk") -> Exists:
    return Exists(Pairing.objects.filter(person=OuterRef(person_ref), ended_on__isnull=True))


def with_load(helpers: QuerySet[Helper]) -> QuerySet[Helper]:
    """Annotate each helper with the number of elders they are paired with now."""
    active = (
        Pairing.objects.filter(helper=OuterRef("pk"), ended_on__isnull=True)
        .order_by()
        .values("helper")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    # A subquery rather than a join: the list keeps its ordering and one row per helper.
    return helpers.annotate(load=Coalesce(Subquery(active), Value(0)))


def free_places(helper: Helper) -> int:
    """How many more elders a helper (annotated by ``with_load``) may take; none once inactive."""
    return max(helper_max_elders() - helper.load, 0) if helper.active else 0


def unpaired_elders(user, on: dt.date | None = None) -> QuerySet[Person]:
    """Rural (village, not community) special-hardship elders of the user's scope without an
    active pairing."""
    on = on or today()
    return (
        special_hardship_elders(user, on).filter(area__is_urban=False).exclude(active_pairing_q())
    )


def haversine_m(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance in metres between two points given in degrees."""
    phi1, phi2 = math.radians(float(lat1)), math.radians(float(lat2))
    dphi = phi2 - phi1
    dlam = math.radians(float(lon2) - float(lon1))
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass
class Suggestion:
    helper: Helper
    distance_m: int | None  # None when the elder or the helper has no coordinates
    load: int
    capacity: int

    @property
    def free(self) -> int:
        return self.capacity - self.load


def suggest_helpers(person: Person, user, limit: int = SUGGESTION_LIMIT) -> list[Suggestion]:
    """Active helpers of the elder's village, in the user's scope, with free capacity, nearest
    first (great-circle distance from the elder's coordinates); helpers without coordinates, or
    all of them when the elder has none, follow by load and name."""
    capacity = helper_max_elders()
    helpers = with_load(
        Helper.objects.for_user(user).filter(active=True, area_id=person.area_id)
    ).filter(load__lt=capacity)
    out = []
    for helper in helpers:
        distance = None
        if None not in (person.latitude, person.longitude, helper.latitude, helper.longitude):
            distance = round(
                haversine_m(person.latitude, person.longitude, helper.latitude, helper.longitude)
            )
        out.append(Suggestion(helper, distance, helper.load, capacity))
    out.sort(
        key=lambda s: (
            s.distance_m is None,
            s.distance_m if s.distance_m is not None else 0,
            s.load,
            s.helper.name,
            s.helper.pk,
        )
    )
    return out[:limit]


def _check_capacity(helper: Helper, exclude_pairing: int | None = None) -> None:
    busy = Pairing.objects.filter(helper=helper, ended_on__isnull=True)
    if exclude_pairing is not None:
        busy = busy.exclude(pk=exclude_pairing)
    limit = helper_max_elders()
    if busy.count() >= limit:
        raise ValidationError({"helper": _("该帮扶人已结对 %(n)s 位老人，达到上限") % {"n": limit}})


@transaction.atomic
def pair(person: Person, helper: Helper, started_on: dt.date, note: str = "") -> Pairing:
    """Pair an elder with a helper: the elder has no active pairing, the helper is active and
    below the capacity limit (``helper_max_elders``)."""
    _not_future(started_on, "started_on", _("结对日期"))
    _check_person_present(person, started_on, "person")
    if started_on < person.birth_date:
        raise ValidationError({"started_on": _("结对日期不能早于出生日期")})
    # Lock the helper row so two pairings cannot both take its last free place.
    helper = Helper.objects.select_for_update().get(pk=helper.pk)
    if not helper.active:
        raise ValidationError({"helper": _("该帮扶人已停用")})
    if Pairing.objects.filter(person=person, ended_on__isnull=True).exists():
        raise ValidationError({"person": _("该老人已有在结对的帮扶人，请先结束原结对")})
    _check_capacity(helper)
    return Pairing.objects.create(person=person, helper=helper, started_on=started_on, note=note)


def end_pairing(pairing: Pairing, ended_on: dt.date, note: str = "") -> Pairing:
    if pairing.ended_on is not None:
        raise ValidationError({"ended_on": _("该结对已于 %(d)s 结束") % {"d": pairing.ended_on}})
    if ended_on < pairing.started_on:
        raise ValidationError({"ended_on": _("结束日期不能早于结对日期")})
    _not_future(ended_on, "ended_on", _("结束日期"))
    pairing.ended_on = ended_on
    if note:
        pairing.note = note[:200]
    pairing.save(update_fields=["ended_on", "note", "updated_at"])
    return pairing


def check_help(pairing: Pairing, helped_on: dt.date) -> None:
    _not_future(helped_on, "helped_on", _("帮扶日期"))
    if helped_on < pairing.started_on:
        raise ValidationError(
            {"helped_on": _("帮扶日期不能早于结对日期 %(d)s") % {"d": pairing.started_on}}
        )
    if pairing.ended_on and helped_on > pairing.ended_on:
        raise ValidationError(
            {"helped_on": _("帮扶日期不能晚于结对结束日期 %(d)s") % {"d": pairing.ended_on}}
        )


def log_help(log: HelpLog) -> HelpLog:
    check_help(log.pairing, log.helped_on)
    log.save()
    return log


# Wishes for concentrated care (集中供养) -------------------------------------------------------


def extreme_poverty_q(on: dt.date, prefix: str = "") -> Q:
    """An elder holding an active 特困 flag on ``on``."""
    return elder_q(on, prefix) & flagged_q(on, prefix, kinds=[HardshipKind.EXTREME_POVERTY])


def open_wish_q(on: dt.date) -> Q:
    """A wish registered by ``on`` and not withdrawn by then."""
    return Q(registered_on__lte=on) & (Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on))


def institution_stays(on: dt.date, person_ref: str = "pk") -> QuerySet[Residency]:
    """Open residencies in an elderly-care institution on ``on`` of the outer row's person."""
    return Residency.objects.filter(
        person=OuterRef(person_ref),
        provider__kind__in=ELDERLY_INSTITUTION_KINDS,
        admitted_on__lte=on,
    ).filter(Q(discharged_on__isnull=True) | Q(discharged_on__gt=on))


def is_placed(person: Person, on: dt.date) -> bool:
    """The elder lives in an elderly-care institution on ``on``."""
    return Person.objects.filter(pk=person.pk).filter(Exists(institution_stays(on))).exists()


def wishes_with_placement(wishes: QuerySet[CareWish], on: dt.date) -> QuerySet[CareWish]:
    """Annotate where (``placed_provider``) and since when (``placed_on``) each wish's elder
    lives in an elderly-care institution on ``on``."""
    stays = institution_stays(on, "person").order_by("-admitted_on")
    return wishes.annotate(
        placed_on=Subquery(stays.values("admitted_on")[:1]),
        placed_provider=Subquery(stays.values("provider__name")[:1]),
    )


def wish_candidates(user, on: dt.date | None = None) -> QuerySet[Person]:
    """特困 elders of the user's scope without an open wish (who may register one)."""
    on = on or today()
    open_wishes = CareWish.objects.filter(person=OuterRef("pk"), withdrawn_on__isnull=True)
    return scoped_elders(user).filter(extreme_poverty_q(on)).exclude(Exists(open_wishes))


def check_wish(wish: CareWish) -> None:
    person, on = wish.person, wish.registered_on
    _not_future(on, "registered_on", _("登记日期"))
    _check_person_present(person, on, "person")
    if not Person.objects.filter(pk=person.pk).filter(extreme_poverty_q(on)).exists():
        raise ValidationError(
            {"person": _("只有在登记日期持有有效“特困”标识的老年人才能登记集中供养意愿")}
        )
    provider = wish.preferred_provider
    if provider is not None and provider.kind not in ELDERLY_INSTITUTION_KINDS:
        raise ValidationError({"preferred_provider": _("意向机构须为养老机构")})
    if wish.withdrawn_on is not None:
        if wish.withdrawn_on < on:
            raise ValidationError({"withdrawn_on": _("撤回日期不能早于登记日期")})
        _not_future(wish.withdrawn_on, "withdrawn_on", _("撤回日期"))
    open_wishes = CareWish.objects.filter(person=person, withdrawn_on__isnull=True)
    if wish.withdrawn_on is None and open_wishes.exclude(pk=wish.pk).exists():
        raise ValidationError({"person": _("该老人已登记集中供养意愿（未撤回）")})


def save_wish(wish: CareWish) -> CareWish:
    check_wish(wish)
    wish.save()
    return wish


def elderly_institutions() -> QuerySet[Provider]:
    """Elderly-care institutions an elder may name as preferred (all of Hai'an's: an elder may
    ask for a home outside their own town)."""
    return Provider.objects.filter(kind__in=ELDERLY_INSTITUTION_KINDS).order_by(
        "area__code", "name"
    )


def distance_label(metres: int | None) -> str:
    if metres is None:
        return "—"
    if metres < 1000:
        return _("%(m)s 米") % {"m": metres}
    return _("%(km)s 千米") % {"km": Decimal(metres / 1000).quantize(Decimal("0.01"))}
