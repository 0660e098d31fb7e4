"""Workflows spanning several models: registration, moves, deaths, move-outs, duplicates, merges.

Each runs in one transaction, so a failure leaves nothing half done.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from carecircle.areas.models import Area
from carecircle.audit.choices import AuditAction
from carecircle.audit.services import record
from carecircle.core.choices import Domain
from carecircle.core.dates import years_before
from carecircle.core.fields import id_number_index
from carecircle.core.idnumbers import ResidentId, parse_resident_id
from carecircle.institutions.models import Residency
from carecircle.persons.models import (
    ELDER_AGE,
    Contact,
    HardshipFlag,
    Person,
    PersonMerge,
    Residence,
)

UNIQUE_LIVING_CONSTRAINT = "persons_person_unique_living_id"


def already_registered_message(masked: str) -> str:
    return _("身份证号 %(m)s 已登记（在世人员中不能重复）") % {"m": masked}


def status_label(person: Person, on: dt.date | None = None) -> str:
    """在册, 已死亡, 已迁出 or 已合并 on ``on`` (today by default)."""
    on = on or timezone.localdate()
    if person.death_date and person.death_date <= on:
        return _("已死亡")
    if person.moved_out_on and person.moved_out_on <= on:
        return _("已迁出")
    if person.merged_into_id:
        return _("已合并")
    return _("在册")


def living_with_index(index: str) -> QuerySet[Person]:
    """Every living, unmerged record with this blind index (unscoped: uniqueness is global)."""
    return Person.objects.filter(
        id_number_index=index, death_date__isnull=True, merged_into__isnull=True
    )


@transaction.atomic
def register_person(
    person: Person, *, id_number: str | None = None, on: dt.date | None = None
) -> Person:
    """Save a new person and open their first residence record in ``person.area``."""
    if id_number:
        person.set_id_number(id_number)
    if living_with_index(person.id_number_index).exists():
        raise ValidationError(already_registered_message(person.id_number_masked))
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:  # a concurrent registration of the same number
        if UNIQUE_LIVING_CONSTRAINT in str(exc) or "id_number_index" in str(exc):
            raise ValidationError(already_registered_message(person.id_number_masked)) from exc
        raise
    Residence.objects.create(
        person=person,
        area=person.area,
        address=person.address,
        valid_from=max(on or timezone.localdate(), person.birth_date),
    )
    return person


@transaction.atomic
def move_person(person: Person, area: Area, on: dt.date, address: str = "") -> Residence:
    """Close the current residence on ``on`` and open a new one; the history is kept."""
    if person.death_date is not None:
        raise ValidationError(_("该人员已登记死亡，不能登记迁居"))
    if on > timezone.localdate():
        raise ValidationError(_("迁居日期不能晚于今天"))
    if on < person.birth_date:
        raise ValidationError(_("迁居日期不能早于出生日期"))
    current = (
        Residence.objects.select_for_update()
        .filter(person=person, valid_to__isnull=True)
        .order_by("-valid_from")
        .first()
    )
    if current is not None:
        if current.area_id == area.pk and current.address == address:
            raise ValidationError(_("新住址与当前住址相同"))
        if on < current.valid_from:
            raise ValidationError(
                _("迁居日期不能早于当前居住记录的起始日期 %(d)s") % {"d": current.valid_from}
            )
        current.valid_to = on
        current.save(update_fields=["valid_to", "updated_at"])
    residence = Residence.objects.create(person=person, area=area, address=address, valid_from=on)
    person.area = area
    person.address = address
    person.save(update_fields=["area", "address", "updated_at"])
    return residence


def _check_event_date(person: Person, on: dt.date) -> None:
    if on > timezone.localdate():
        raise ValidationError(_("日期不能晚于今天"))
    if on < person.birth_date:
        raise ValidationError(_("日期不能早于出生日期"))


def _close_stays(person: Person, on: dt.date) -> None:
    """End the current residence and any open institution stay on ``on``."""
    Residence.objects.filter(person=person, valid_to__isnull=True, valid_from__lte=on).update(
        valid_to=on
    )
    for stay in Residency.objects.filter(
        person=person, discharged_on__isnull=True, admitted_on__lte=on
    ):
        stay.discharged_on = on
        stay.save(update_fields=["discharged_on", "updated_at"])


@transaction.atomic
def record_death(person: Person, on: dt.date) -> bool:
    """Record the date of death; return False when exactly this was already recorded."""
    if person.death_date == on:
        return False
    if person.death_date is not None:
        raise ValidationError(_("已登记死亡日期 %(d)s") % {"d": person.death_date})
    _check_event_date(person, on)
    person.death_date = on
    person.save(update_fields=["death_date", "updated_at"])
    _close_stays(person, on)
    return True


@transaction.atomic
def record_move_out(person: Person, on: dt.date) -> bool:
    """Record a move out of Hai'an; return False when exactly this was already recorded."""
    if person.moved_out_on == on:
        return False
    if person.death_date is not None:
        raise ValidationError(_("该人员已登记死亡，不能登记迁出"))
    if person.moved_out_on is not None:
        raise ValidationError(_("已登记迁出日期 %(d)s") % {"d": person.moved_out_on})
    _check_event_date(person, on)
    person.moved_out_on = on
    person.save(update_fields=["moved_out_on", "updated_at"])
    _close_stays(person, on)
    return True


def find_duplicates(queryset: QuerySet[Person]) -> QuerySet[Person]:
    """Likely duplicates within ``queryset``: living, unmerged records sharing name and birth
    date with another such record under a different ID number. One query, grouped by order."""
    living = queryset.filter(death_date__isnull=True, merged_into__isnull=True)
    # Correlated on (name, birth date), which the persons_name_birth_idx index serves; a
    # "pk IN (scope)" form instead made SQLite rescan the scope per row (30 s for a town).
    shared = (
        living.filter(name=OuterRef("name"), birth_date=OuterRef("birth_date"))
        .order_by()
        .values("name", "birth_date")
        .annotate(numbers=Count("id_number_index", distinct=True))
        .filter(numbers__gt=1)
        .values("numbers")
    )
    return living.filter(Exists(shared)).order_by("name", "birth_date", "created_at", "pk")


def _same_contact(contact: Contact, others: list[Contact]) -> bool:
    return any(
        other.relation == contact.relation
        and other.full_name == contact.full_name
        and other.full_phone == contact.full_phone
        for other in others
    )


@transaction.atomic
def merge_persons(kept: Person, merged: Person, user, reason: str, *, request=None) -> PersonMerge:
    """Fold ``merged`` into ``kept``: flags, contacts and institution stays move over unless
    ``kept`` already has them; ``merged`` stays as a record pointing at ``kept``."""
    kept = Person.objects.select_for_update().get(pk=kept.pk)
    merged = Person.objects.select_for_update().get(pk=merged.pk)
    if kept.pk == merged.pk:
        raise ValidationError(_("不能将记录与自身合并"))
    if kept.merged_into_id or merged.merged_into_id:
        raise ValidationError(_("已合并的记录不能再次合并"))
    if kept.domain != merged.domain:
        raise ValidationError(_("只能合并同一类别的人员"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写合并原因"))

    kept_flags = set(kept.hardship_flags.values_list("kind", "valid_from"))
    for flag in HardshipFlag.objects.filter(person=merged):
        if (flag.kind, flag.valid_from) not in kept_flags:
            flag.person = kept
            flag.save(update_fields=["person", "updated_at"])
            kept_flags.add((flag.kind, flag.valid_from))

    kept_contacts = list(Contact.objects.filter(person=kept))
    for contact in Contact.objects.filter(person=merged):
        if not _same_contact(contact, kept_contacts):
            contact.person = kept
            contact.save(update_fields=["person", "updated_at"])
            kept_contacts.append(contact)

    kept_stays = Residency.objects.filter(person=kept)
    kept_keys = set(kept_stays.values_list("provider_id", "admitted_on"))
    kept_open = kept_stays.filter(discharged_on__isnull=True).exists()
    for stay in Residency.objects.filter(person=merged):
        if (stay.provider_id, stay.admitted_on) in kept_keys:
            continue
        if stay.discharged_on is None and kept_open:
            continue
        stay.person = kept
        stay.save(update_fields=["person", "updated_at"])
        kept_keys.add((stay.provider_id, stay.admitted_on))
        kept_open = kept_open or stay.discharged_on is None

    move_service_records(merged, kept)
    merged.merged_into = kept
    merged.save(update_fields=["merged_into", "updated_at"])
    merge = PersonMerge.objects.create(kept=kept, merged=merged, merged_by=user, reason=reason)
    record(
        request,
        AuditAction.MERGE,
        obj=kept,
        user=user,
        merged=str(merged.uuid),
        merged_id=merged.id_number_masked,
        kept_id=kept.id_number_masked,
        reason=reason,
    )
    return merge


def move_service_records(merged: Person, kept: Person) -> int:
    """Move the service records of ``merged`` (assessments, home care, visits, checks, …) to
    ``kept``. A record that would break one of its model's unique rules on ``kept`` (the same
    assessment twice, a second open pairing) stays with the merged record, where it remains
    reachable from it. Returns how many moved."""
    moved = 0
    for relation in Person._meta.related_objects:
        model = relation.related_model
        if not relation.one_to_many or model._meta.app_label in _MERGE_OWN_APPS:
            continue
        if model.__name__.startswith("Historical"):
            continue
        name = relation.field.name
        fields = [name] + [f.name for f in model._meta.concrete_fields if f.name == "updated_at"]
        for row in model._default_manager.filter(**{name: merged}):
            setattr(row, name, kept)
            try:
                row.validate_constraints()
            except ValidationError:
                continue
            row.save(update_fields=fields)
            moved += 1
    return moved


# Persons' own records and institution stays are merged by the rules of ``merge_persons``.
_MERGE_OWN_APPS = {"persons", "institutions"}


# Shared validation (forms, importers and the API) -------------------------------------------


def age_rule_error(domain: str, birth_date: dt.date, on: dt.date) -> str | None:
    """Why a person born on ``birth_date`` cannot be registered in ``domain`` on ``on``."""
    probe = Person(birth_date=birth_date)
    if domain == Domain.ELDERLY and birth_date > years_before(on, ELDER_AGE):
        return _("登记为老年人须年满60周岁：按身份证号出生日期%(d)s，现年%(a)d岁") % {
            "d": birth_date.isoformat(),
            "a": probe.age_on(on),
        }
    if domain == Domain.CHILDCARE and birth_date <= years_before(on, 3):
        return _("登记为婴幼儿须未满3周岁（36个月）：按身份证号出生日期%(d)s，已满%(m)d个月") % {
            "d": birth_date.isoformat(),
            "m": probe.age_in_months(on),
        }
    return None


def validate_id_number(
    raw: str, domain: str, *, exclude_pk: int | None = None, on: dt.date | None = None
) -> ResidentId:
    """GB 11643 checks, the age rule of the domain and uniqueness among living persons (R14)."""
    parsed = parse_resident_id(raw)
    problem = age_rule_error(domain, parsed.birth_date, on or timezone.localdate())
    if problem:
        raise ValidationError(problem)
    clash = living_with_index(id_number_index(parsed.number))
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError(already_registered_message(parsed.masked))
    return parsed
