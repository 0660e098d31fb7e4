"""Workflows of classes, applications, offers and enrolments; each runs in one transaction.

Every refusal is a ``ValidationError`` whose Chinese message says which rule would break and by
how much, so the institution can act on it (add a carer to the roster, pick another class …).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from carecircle.areas.models import Area
from carecircle.core.choices import Domain
from carecircle.core.dates import years_before
from carecircle.core.fields import id_number_index
from carecircle.core.idnumbers import parse_resident_id
from carecircle.enrolment import occupancy
from carecircle.enrolment.choices import (
    CARER_ROLES,
    OPEN_STATUSES,
    SHIFT_HALVES,
    ApplicationSource,
    ApplicationStatus,
    EndReason,
)
from carecircle.enrolment.models import (
    Application,
    ChildcareClass,
    Enrolment,
    Offer,
    PriorityGroup,
    StaffDuty,
)
from carecircle.enrolment.models.config import MAX_CHILD_MONTHS, months_between, third_birthday
from carecircle.institutions.choices import CHILDCARE_KINDS, CreditStatus, FilingStatus
from carecircle.institutions.models import Provider, Staff
from carecircle.persons.choices import ContactRelation
from carecircle.persons.models import Contact, Person
from carecircle.persons.services import living_with_index, register_person

DEFAULT_OFFER_VALID_DAYS = 7
# Crockford's base 32 without I, L, O, U: unambiguous when read out on the phone.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_GROUPS = 3
CODE_GROUP_LENGTH = 4
BARRED_CREDIT = (CreditStatus.BLACKLISTED, CreditStatus.LIFETIME_BAN)


def offer_valid_days() -> int:
    return int(getattr(settings, "CARECIRCLE_OFFER_VALID_DAYS", DEFAULT_OFFER_VALID_DAYS))


def _now() -> dt.datetime:
    return timezone.now()


# Classes -------------------------------------------------------------------------------------


def class_problems(childcare_class: ChildcareClass, on: dt.date | None = None) -> list[str]:
    """Why a class cannot be saved as it is: its size against its rule and the provider's
    places, and a 普惠 price only where the provider offers 普惠 places."""
    on = on or timezone.localdate()
    problems = []
    provider = childcare_class.provider
    rule = childcare_class.rule
    if provider.kind not in CHILDCARE_KINDS:
        problems.append(_("只有托育机构可以设置班级"))
    if childcare_class.capacity and childcare_class.capacity > rule.max_children:
        problems.append(
            _("核定人数 %(n)d 超过%(rule)s的最大人数 %(max)d")
            % {"n": childcare_class.capacity, "rule": rule.name, "max": rule.max_children}
        )
    record = provider.capacity_on(max(on, childcare_class.opened_on or on))
    if record is None or record.places_total == 0:
        problems.append(_("该机构尚未登记托位数，请先登记床位/托位"))
    elif childcare_class.closed_on is None:
        others = (
            ChildcareClass.objects.filter(provider=provider, closed_on__isnull=True)
            .exclude(pk=childcare_class.pk)
            .aggregate(total=Sum("capacity"))["total"]
            or 0
        )
        if others + (childcare_class.capacity or 0) > record.places_total:
            problems.append(
                _("各班核定人数合计 %(sum)d 将超过机构托位数 %(places)d")
                % {"sum": others + childcare_class.capacity, "places": record.places_total}
            )
    if childcare_class.affordable_fee is not None and (
        record is None or record.places_affordable == 0
    ):
        problems.append(_("该机构没有普惠托位，不能设置普惠收费"))
    return problems


@transaction.atomic
def save_class(childcare_class: ChildcareClass) -> ChildcareClass:
    problems = class_problems(childcare_class)
    if problems:
        raise ValidationError(problems)
    childcare_class.full_clean()
    childcare_class.save()
    return childcare_class


# Staff on duty -------------------------------------------------------------------------------


def carer_staff(provider: Provider, on: dt.date | None = None) -> QuerySet[Staff]:
    """The provider's carers employed on ``on`` (today by default) and not barred."""
    on = on or timezone.localdate()
    return (
        Staff.objects.filter(provider=provider, role__in=CARER_ROLES, hired_on__lte=on)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
        .exclude(credit_status__in=BARRED_CREDIT)
        .order_by("name", "pk")
    )


def _duty_problem(staff: Staff, childcare_class: ChildcareClass, day: dt.date, shift: str):
    if staff.provider_id != childcare_class.provider_id:
        return _("%(s)s 不是本机构人员") % {"s": staff.name}
    if staff.role not in CARER_ROLES:
        return _("%(s)s 不是保育人员，不计入师生比") % {"s": staff.name}
    if staff.hired_on > day or (staff.left_on and staff.left_on <= day):
        return _("%(s)s 在 %(d)s 不在职") % {"s": staff.name, "d": day}
    if staff.credit_status in BARRED_CREDIT:
        return _("%(s)s 信用状态为%(c)s，不能排班") % {
            "s": staff.name,
            "c": staff.get_credit_status_display(),
        }
    if not childcare_class.is_open_on(day):
        return _("%(d)s 班级未开班") % {"d": day}
    halves = set(SHIFT_HALVES[shift])
    for other_class, other_shift in StaffDuty.objects.filter(staff=staff, date=day).values_list(
        "childcare_class__name", "shift"
    ):
        if halves & set(SHIFT_HALVES[other_shift]):
            return _("%(s)s 在 %(d)s 已在%(c)s排班") % {"s": staff.name, "d": day, "c": other_class}
    return None


@transaction.atomic
def record_duties(
    childcare_class: ChildcareClass, staff: Iterable[Staff], days: Iterable[dt.date], shift: str
) -> int:
    """Put each carer on duty in the class on each day; a day already recorded is kept.
    All or nothing: any clash is reported and nothing is written."""
    rows, problems = [], []
    for day in days:
        for person in staff:
            if StaffDuty.objects.filter(
                childcare_class=childcare_class, staff=person, date=day
            ).exists():
                continue
            problem = _duty_problem(person, childcare_class, day, shift)
            if problem:
                problems.append(problem)
            else:
                rows.append(
                    StaffDuty(childcare_class=childcare_class, staff=person, date=day, shift=shift)
                )
    if problems:
        raise ValidationError(problems[:20])
    StaffDuty.objects.bulk_create(rows)
    return len(rows)


# Enrolment rules -----------------------------------------------------------------------------


def enrolment_problems(
    childcare_class: ChildcareClass, birth_date: dt.date, start_on: dt.date
) -> list[str]:
    """Why a child born on ``birth_date`` cannot start in the class on ``start_on``: the class
    must be open, the child of the class's ages, and one more child must fit the class's size
    and the carers on duty that day."""
    rule = childcare_class.rule
    problems = []
    if not childcare_class.is_open_on(start_on):
        problems.append(_("班级在 %(d)s 未开班") % {"d": start_on})
    months = months_between(birth_date, start_on)
    if months >= MAX_CHILD_MONTHS:
        problems.append(
            _("入托日 %(d)s 婴幼儿已满3周岁（%(m)d个月），不能入托") % {"d": start_on, "m": months}
        )
    elif not rule.takes_age(months):
        problems.append(
            _("月龄不符：入托日 %(d)s 婴幼儿%(m)d个月，%(rule)s收托%(band)s")
            % {"d": start_on, "m": months, "rule": rule.name, "band": rule.months_label}
        )
    held = occupancy.places_held(childcare_class, start_on)
    limit = occupancy.size_limit(childcare_class)
    if held + 1 > limit:
        problems.append(
            _("班级人数已满：%(rule)s最多 %(max)d 人，本班核定 %(cap)d 人，已有 %(n)d 人")
            % {
                "rule": rule.name,
                "max": rule.max_children,
                "cap": childcare_class.capacity,
                "n": held,
            }
        )
    carers = occupancy.carers_on_duty(childcare_class, start_on)
    if not carers:
        problems.append(
            _("%(d)s 该班没有在岗保育人员记录，请先登记当天排班（师生比须不低于 %(ratio)s）")
            % {"d": start_on, "ratio": rule.ratio_label}
        )
    elif held + 1 > carers * rule.children_per_carer:
        problems.append(
            _(
                "师生比不足：%(d)s 在岗保育人员 %(c)d 名，按 %(ratio)s 最多照护 %(most)d 名，"
                "入托后将有 %(n)d 名，需至少 %(need)d 名保育人员"
            )
            % {
                "d": start_on,
                "c": carers,
                "ratio": rule.ratio_label,
                "most": carers * rule.children_per_carer,
                "n": held + 1,
                "need": rule.carers_needed(held + 1),
            }
        )
    return problems


def _lock(childcare_class: ChildcareClass) -> ChildcareClass:
    """Serialise enrolments into one class (two last places cannot both be given)."""
    return (ChildcareClass.objects.select_for_update().select_related("rule", "provider")).get(
        pk=childcare_class.pk
    )


# Applications --------------------------------------------------------------------------------


def new_reference_code() -> str:
    body = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_GROUPS * CODE_GROUP_LENGTH))
    groups = [body[i : i + CODE_GROUP_LENGTH] for i in range(0, len(body), CODE_GROUP_LENGTH)]
    return "TY-" + "-".join(groups)


def normalise_reference_code(raw: str) -> str:
    compact = "".join(ch for ch in (raw or "").upper() if ch.isalnum())
    if compact.startswith("TY"):
        compact = compact[2:]
    if len(compact) != CODE_GROUPS * CODE_GROUP_LENGTH:
        return ""
    groups = [compact[i : i + CODE_GROUP_LENGTH] for i in range(0, len(compact), 4)]
    return "TY-" + "-".join(groups)


def application_problems(
    provider: Provider,
    childcare_class: ChildcareClass,
    birth_date: dt.date,
    wanted_start: dt.date,
    *,
    public: bool,
    today: dt.date | None = None,
) -> list[tuple[str | None, str]]:
    """Why an application cannot be taken, as (form field or None, message) pairs."""
    today = today or timezone.localdate()
    problems: list[tuple[str | None, str]] = []
    if provider.kind not in CHILDCARE_KINDS:
        problems.append((None, _("该机构不是托育机构")))
    if public and provider.filing_status != FilingStatus.FILED:
        problems.append((None, _("该机构尚未完成备案，暂不接受网上申请")))
    if childcare_class.provider_id != provider.pk:
        problems.append(("childcare_class", _("所选班级不属于该机构")))
    if wanted_start < today:
        problems.append(("wanted_start", _("希望入托日期不能早于今天")))
    elif wanted_start > today + dt.timedelta(days=366):
        problems.append(("wanted_start", _("希望入托日期不能晚于一年以后")))
    if months_between(birth_date, today) >= MAX_CHILD_MONTHS:
        problems.append(("id_number", _("按身份证号，婴幼儿已满3周岁，不属于托育服务对象")))
    elif not problems:
        if not childcare_class.is_open_on(wanted_start):
            problems.append(("childcare_class", _("所选班级在希望入托日期未开班")))
        months = months_between(birth_date, wanted_start)
        rule = childcare_class.rule
        if months >= MAX_CHILD_MONTHS:
            problems.append(("wanted_start", _("希望入托日期时婴幼儿已满3周岁")))
        elif not rule.takes_age(months):
            problems.append(
                (
                    "childcare_class",
                    _(
                        "希望入托日期 %(d)s 时婴幼儿%(m)d个月，%(rule)s收托%(band)s，"
                        "请选择其他班级或日期"
                    )
                    % {
                        "d": wanted_start,
                        "m": months,
                        "rule": rule.name,
                        "band": rule.months_label,
                    },
                )
            )
    return problems


def open_application_exists(provider: Provider, number: str) -> bool:
    return Application.objects.filter(
        provider=provider, id_number_index=id_number_index(number), status__in=OPEN_STATUSES
    ).exists()


def already_applied_message() -> str:
    return _("该婴幼儿已向该机构提交申请，尚在处理中，请用申请编号查询进度")


@transaction.atomic
def submit_application(
    *,
    provider: Provider,
    childcare_class: ChildcareClass,
    child_name: str,
    id_number: str,
    area: Area,
    guardian_name: str,
    guardian_phone: str,
    guardian_relationship: str,
    wanted_start: dt.date,
    priority_groups: Sequence[PriorityGroup] = (),
    source: str,
    consent: bool,
) -> Application:
    """A new application; the child is linked to the registry when already registered."""
    public = source == ApplicationSource.PORTAL
    if not consent:
        raise ValidationError(_("须由监护人同意为办理入托申请处理上述个人信息"))
    parsed = parse_resident_id(id_number)
    problems = application_problems(
        provider, childcare_class, parsed.birth_date, wanted_start, public=public
    )
    if problems:
        raise ValidationError([message for _field, message in problems])
    index = id_number_index(parsed.number)
    if open_application_exists(provider, parsed.number):
        raise ValidationError(already_applied_message())
    registered = living_with_index(index).filter(domain=Domain.CHILDCARE).first()
    application = Application(
        provider=provider,
        childcare_class=childcare_class,
        mode=childcare_class.mode,
        area=area,
        child=registered,
        child_name=child_name.strip(),
        guardian_relationship=guardian_relationship.strip(),
        wanted_start=wanted_start,
        source=source,
        consent_at=_now(),
        status_changed_at=_now(),
    )
    application.set_id_number(parsed.number)
    application.set_guardian(guardian_name.strip(), guardian_phone)
    for _attempt in range(5):
        application.reference_code = new_reference_code()
        if not Application.objects.filter(reference_code=application.reference_code).exists():
            break
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as exc:  # the same child submitted twice at once
        raise ValidationError(_("该婴幼儿已向该机构提交申请，尚在处理中")) from exc
    application.priority_groups.set([g for g in priority_groups if g.active])
    return application


def _set_status(application: Application, status: str, note: str = "") -> None:
    application.status = status
    application.status_changed_at = _now()
    fields = ["status", "status_changed_at", "updated_at"]
    if note:
        application.decision_note = note[:200]
        fields.append("decision_note")
    application.save(update_fields=fields)


def _require_status(application: Application, *allowed: str) -> None:
    if application.status not in allowed:
        raise ValidationError(
            _("申请当前状态为%(s)s，不能进行此操作") % {"s": application.get_status_display()}
        )


@transaction.atomic
def put_on_waiting_list(
    application: Application, priority_groups: Sequence[PriorityGroup] | None = None
) -> Application:
    """Reviewed: the application joins its class's waiting list (priority groups as checked)."""
    _require_status(application, ApplicationStatus.SUBMITTED)
    if priority_groups is not None:
        application.priority_groups.set(priority_groups)
    _set_status(application, ApplicationStatus.WAITING)
    return application


@transaction.atomic
def refuse(application: Application, reason: str) -> Application:
    _require_status(application, ApplicationStatus.SUBMITTED, ApplicationStatus.WAITING)
    if not reason.strip():
        raise ValidationError(_("请填写拒绝原因"))
    _set_status(application, ApplicationStatus.REFUSED, reason.strip())
    return application


@transaction.atomic
def withdraw(application: Application, reason: str = "") -> Application:
    """The family withdraws; an open offer is declined with it."""
    _require_status(application, *OPEN_STATUSES)
    for offer in application.offers.pending():
        offer.declined_at = _now()
        offer.save(update_fields=["declined_at", "updated_at"])
    _set_status(application, ApplicationStatus.WITHDRAWN, reason.strip() or _("家庭撤回申请"))
    return application


# Offers --------------------------------------------------------------------------------------


def ahead_in_line(childcare_class: ChildcareClass, application: Application) -> int:
    """Waiting applications before ``application`` on the class's list (all of them when it is
    not on that list). An application with an open offer is no longer waiting."""
    ahead = 0
    for pk in occupancy.waiting_list(childcare_class).values_list("pk", flat=True):
        if pk == application.pk:
            break
        ahead += 1
    return ahead


def next_in_line(childcare_class: ChildcareClass) -> Application | None:
    return occupancy.waiting_list(childcare_class).first()


@transaction.atomic
def make_offer(
    application: Application,
    childcare_class: ChildcareClass,
    start_on: dt.date,
    *,
    user=None,
    out_of_order_reason: str = "",
) -> Offer:
    """Offer a place in ``childcare_class`` from ``start_on``, open for the configured days.

    The place must be free (pending offers count as taken) and the child of the class's ages
    on ``start_on``; offering before someone ahead on the list needs a recorded reason."""
    _require_status(application, ApplicationStatus.SUBMITTED, ApplicationStatus.WAITING)
    childcare_class = _lock(childcare_class)
    problems = []
    if childcare_class.provider_id != application.provider_id:
        problems.append(_("所选班级不属于该申请的机构"))
    if start_on < timezone.localdate():
        problems.append(_("入托日期不能早于今天"))
    if not childcare_class.is_open_on(start_on):
        problems.append(_("班级在 %(d)s 未开班") % {"d": start_on})
    months = months_between(application.birth_date, start_on)
    rule = childcare_class.rule
    if not rule.takes_age(months):
        problems.append(
            _("月龄不符：入托日 %(d)s 婴幼儿%(m)d个月，%(rule)s收托%(band)s")
            % {"d": start_on, "m": months, "rule": rule.name, "band": rule.months_label}
        )
    if occupancy.vacancies(childcare_class, start_on) < 1:
        problems.append(
            _("%(c)s在 %(d)s 已无空位（已在托及待答复的录取通知已占满核定人数）")
            % {"c": childcare_class.name, "d": start_on}
        )
    ahead = ahead_in_line(childcare_class, application)
    if ahead and not out_of_order_reason.strip():
        problems.append(
            _("候补名单中前面还有 %(n)d 人尚未录取，请按顺序发放，或填写未按顺序的原因")
            % {"n": ahead}
        )
    if problems:
        raise ValidationError(problems)
    made = _now()
    offer = Offer.objects.create(
        application=application,
        childcare_class=childcare_class,
        start_on=start_on,
        made_at=made,
        expires_at=made + dt.timedelta(days=offer_valid_days()),
        made_by=user if getattr(user, "is_authenticated", False) else None,
        out_of_order_reason=out_of_order_reason.strip() if ahead else "",
    )
    _set_status(application, ApplicationStatus.OFFERED)
    return offer


def lapse_expired_offers(now: dt.datetime | None = None) -> int:
    """Offers past their deadline without an answer lapse; their applications become 通知过期,
    which frees the place for the next in line."""
    now = now or _now()
    expired = list(
        Offer.objects.filter(
            accepted_at__isnull=True,
            declined_at__isnull=True,
            lapsed_at__isnull=True,
            expires_at__lte=now,
        ).values_list("pk", "application_id")
    )
    if not expired:
        return 0
    with transaction.atomic():
        offers = Offer.objects.filter(pk__in=[pk for pk, _a in expired])
        offers.update(lapsed_at=now, updated_at=now)
        Application.objects.filter(
            pk__in=[a for _pk, a in expired], status=ApplicationStatus.OFFERED
        ).update(status=ApplicationStatus.OFFER_EXPIRED, status_changed_at=now, updated_at=now)
    return len(expired)


def _require_pending(offer: Offer) -> None:
    if not offer.is_pending():
        raise ValidationError(_("录取通知%(s)s，不能再答复") % {"s": offer.state()})


@transaction.atomic
def decline_offer(offer: Offer) -> Offer:
    _require_pending(offer)
    offer.declined_at = _now()
    offer.save(update_fields=["declined_at", "updated_at"])
    _set_status(offer.application, ApplicationStatus.WITHDRAWN, _("家庭放弃录取"))
    return offer


def _child_for(application: Application) -> Person:
    """The registered child, or a new registry entry from the application (guardian too)."""
    if application.child_id:
        return application.child
    index = application.id_number_index
    registered = living_with_index(index).filter(domain=Domain.CHILDCARE).first()
    if registered is not None:
        return registered
    if living_with_index(index).exists():
        raise ValidationError(_("该身份证号已登记为其他类别人员，请核对"))
    person = Person(domain=Domain.CHILDCARE, name=application.child_name, area=application.area)
    register_person(person, id_number=application.id_number)
    contact = Contact(
        person=person,
        relation=ContactRelation.GUARDIAN,
        relationship=application.guardian_relationship,
    )
    contact.set_details(application.guardian_name, application.guardian_phone)
    contact.save()
    return person


@transaction.atomic
def accept_offer(offer: Offer, start_on: dt.date | None = None) -> Enrolment:
    """The family accepts: the child is enrolled if the class's age band, size and staff ratio
    allow it on the start date; otherwise nothing changes and the reasons are given."""
    _require_pending(offer)
    start_on = start_on or offer.start_on
    childcare_class = _lock(offer.childcare_class)
    application = offer.application
    problems = enrolment_problems(childcare_class, application.birth_date, start_on)
    if problems:
        raise ValidationError(problems)
    child = _child_for(application)
    if Enrolment.objects.filter(child=child, ended_on__isnull=True).exists():
        raise ValidationError(_("该婴幼儿已在托，请先办理离托"))
    enrolment = Enrolment.objects.create(
        provider=childcare_class.provider,
        child=child,
        childcare_class=childcare_class,
        application=application,
        started_on=start_on,
    )
    offer.accepted_at = _now()
    offer.save(update_fields=["accepted_at", "updated_at"])
    application.child = child
    application.save(update_fields=["child", "updated_at"])
    _set_status(application, ApplicationStatus.ENROLLED)
    return enrolment


# Enrolments ----------------------------------------------------------------------------------


@transaction.atomic
def end_enrolment(enrolment: Enrolment, on: dt.date, reason: str) -> Enrolment:
    if enrolment.ended_on is not None:
        raise ValidationError(_("该在托记录已于 %(d)s 结束") % {"d": enrolment.ended_on})
    if on < enrolment.started_on:
        raise ValidationError(_("离托日期不能早于入托日期 %(d)s") % {"d": enrolment.started_on})
    if reason not in EndReason.values:
        raise ValidationError(_("请选择离托原因"))
    enrolment.ended_on = on
    enrolment.end_reason = reason
    enrolment.save(update_fields=["ended_on", "end_reason", "updated_at"])
    return enrolment


def age_out(on: dt.date | None = None) -> int:
    """End every open enrolment whose child has turned 3 by ``on``, on the third birthday
    itself (the rule of ``Person.objects.children_under_3``). Returns how many ended."""
    on = on or timezone.localdate()
    due = Enrolment.objects.filter(
        ended_on__isnull=True, child__birth_date__lte=years_before(on, 3)
    ).select_related("child")
    ended = 0
    with transaction.atomic():
        for enrolment in due:
            birthday = third_birthday(enrolment.child.birth_date)
            enrolment.ended_on = max(birthday, enrolment.started_on)
            enrolment.end_reason = EndReason.AGED_OUT
            enrolment.save(update_fields=["ended_on", "end_reason", "updated_at"])
            ended += 1
    return ended


def upcoming_age_outs(
    enrolments: QuerySet[Enrolment], on: dt.date, days: int = 60
) -> list[tuple[Enrolment, dt.date]]:
    """Open enrolments whose child turns 3 by ``days`` after ``on`` (any already overdue
    first), with the third birthday, soonest first."""
    until = on + dt.timedelta(days=days)
    candidates = (
        enrolments.filter(ended_on__isnull=True, child__birth_date__lte=years_before(until, 3))
        .select_related("child", "childcare_class", "provider")
        .order_by("child__birth_date", "pk")
    )
    return [(e, third_birthday(e.child.birth_date)) for e in candidates]
