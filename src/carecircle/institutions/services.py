"""Registration workflows for providers and staff, and capacity and occupancy figures.

The credit-list rule (红黑名单, 终身禁入) lives here so that forms, the API and Excel imports apply
it the same way: a person under a lifetime ban or on the black list, or an organisation on the black
list, cannot be registered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from carecircle.areas.models import Area
from carecircle.core.choices import Domain, ScopeDomain
from carecircle.core.fields import id_number_index
from carecircle.institutions.choices import CreditStatus, ListKind, ProviderKind, SubjectKind
from carecircle.institutions.models import CapacityRecord, CreditListing, Provider, Staff

# Fields an institution's own employee may not change on their provider (set by regulators).
INSTITUTION_LOCKED_FIELDS = (
    "name",
    "kind",
    "ownership",
    "credit_code",
    "area",
    "status",
    "filing_status",
    "filed_on",
    "opened_on",
    "closed_on",
    "service_areas",
)

CREDIT_STATUS_BY_LIST = {
    ListKind.LIFETIME_BAN: CreditStatus.LIFETIME_BAN,
    ListKind.BLACK: CreditStatus.BLACKLISTED,
    ListKind.WATCH: CreditStatus.WATCH,
}
_SEVERITY = [ListKind.LIFETIME_BAN, ListKind.BLACK, ListKind.WATCH]


# Credit lists ----------------------------------------------------------------------------------


def _most_severe(listings) -> CreditListing | None:
    listings = list(listings)
    for kind in _SEVERITY:
        for listing in listings:
            if listing.list_kind == kind:
                return listing
    return None


def blocking_listing_for_person(index: str) -> CreditListing | None:
    """The black-list or lifetime-ban listing in force for a person (by ID blind index)."""
    if not index:
        return None
    return _most_severe(
        CreditListing.objects.blocking().filter(
            subject_kind=SubjectKind.PERSON, id_number_index=index
        )
    )


def blocking_listing_for_organisation(credit_code: str) -> CreditListing | None:
    if not credit_code:
        return None
    return _most_severe(
        CreditListing.objects.blocking().filter(
            subject_kind=SubjectKind.ORGANISATION, credit_code=credit_code
        )
    )


def person_block_message(listing: CreditListing) -> str:
    return _("该人员已被列入信用惩戒名单，不能登记（%(d)s）") % {"d": listing.describe()}


def organisation_block_message(listing: CreditListing) -> str:
    return _("该机构已被列入信用惩戒名单，不能登记（%(d)s）") % {"d": listing.describe()}


def check_person_allowed(index: str) -> None:
    listing = blocking_listing_for_person(index)
    if listing is not None:
        raise ValidationError(person_block_message(listing), code="credit_blocked")


def check_organisation_allowed(credit_code: str) -> None:
    listing = blocking_listing_for_organisation(credit_code)
    if listing is not None:
        raise ValidationError(organisation_block_message(listing), code="credit_blocked")


def blocking_person_indexes() -> dict[str, CreditListing]:
    """All blocked persons at once (bulk imports): blind index → most severe listing."""
    found: dict[str, list[CreditListing]] = {}
    for listing in CreditListing.objects.blocking().filter(subject_kind=SubjectKind.PERSON):
        found.setdefault(listing.id_number_index, []).append(listing)
    return {key: _most_severe(items) for key, items in found.items()}


def blocking_credit_codes() -> dict[str, CreditListing]:
    found: dict[str, list[CreditListing]] = {}
    for listing in CreditListing.objects.blocking().filter(subject_kind=SubjectKind.ORGANISATION):
        found.setdefault(listing.credit_code, []).append(listing)
    return {key: _most_severe(items) for key, items in found.items()}


def credit_status_for(index: str, on: dt.date | None = None) -> str:
    """A staff member's credit status, derived from the person listings in force."""
    listings = CreditListing.objects.in_force(on).filter(
        subject_kind=SubjectKind.PERSON, id_number_index=index
    )
    worst = _most_severe(listings)
    return CREDIT_STATUS_BY_LIST[worst.list_kind] if worst is not None else CreditStatus.GOOD


def sync_staff_credit(index: str) -> int:
    """Bring every staff record of this person in line with the listings; return rows changed."""
    if not index:
        return 0
    status = credit_status_for(index)
    changed = 0
    for staff in Staff.objects.filter(id_number_index=index).exclude(credit_status=status):
        staff.credit_status = status
        staff.save(update_fields=["credit_status", "updated_at"])
        changed += 1
    return changed


def save_listing(listing: CreditListing, user=None, previous_index: str = "") -> CreditListing:
    """Save a listing and bring the credit status of the staff records concerned up to date."""
    if user is not None:
        listing._history_user = user
    with transaction.atomic():
        listing.full_clean()
        listing.save()
        for index in {listing.id_number_index, previous_index} - {""}:
            sync_staff_credit(index)
    return listing


# Scope ----------------------------------------------------------------------------------------


def area_in_scope(area: Area, user) -> bool:
    scope = getattr(user, "scope_area", None)
    return scope is not None and area.path.startswith(scope.path)


def domain_in_scope(domain: str, user) -> bool:
    wanted = getattr(user, "scope_domain", ScopeDomain.BOTH)
    return wanted == ScopeDomain.BOTH or wanted == domain


def kinds_for(user) -> list[tuple[str, str]]:
    """Provider kinds a user may register (their domain only)."""
    return [
        (value, label)
        for value, label in ProviderKind.choices
        if domain_in_scope(Provider.domain_of(value), user)
    ]


def scoped_areas(user):
    """Areas a user may place a provider in: their subtree (institution users: none here)."""
    if getattr(user, "scope_area_id", None) is None:
        return Area.objects.none()
    return Area.objects.subtree(user.scope_area)


# Registration ---------------------------------------------------------------------------------


def check_provider(provider: Provider, user, *, previous_code: str | None = None) -> None:
    """Scope and credit-list checks for a provider about to be saved by ``user``."""
    errors: dict[str, list[str]] = {}
    if user.institution_id:
        if provider.pk is None or provider.pk != user.institution_id:
            errors.setdefault("area", []).append(_("机构用户只能修改本机构信息"))
    else:
        if provider.area_id is None or not area_in_scope(provider.area, user):
            errors.setdefault("area", []).append(_("所在区划不在您的管辖范围内"))
        if not domain_in_scope(Provider.domain_of(provider.kind), user):
            errors.setdefault("kind", []).append(_("该机构类型不在您的业务范围内"))
    if provider.credit_code and provider.credit_code != previous_code:
        listing = blocking_listing_for_organisation(provider.credit_code)
        if listing is not None:
            errors.setdefault("credit_code", []).append(organisation_block_message(listing))
    if errors:
        raise ValidationError(errors)


def register_provider(data: dict[str, Any], user, *, instance: Provider | None = None) -> Provider:
    """Create (or update) a provider after validation, scope and credit-list checks."""
    data = dict(data)
    service_areas = data.pop("service_areas", None)
    provider = instance or Provider()
    previous_code = provider.credit_code if provider.pk else None
    if user.institution_id and provider.pk:
        for name in INSTITUTION_LOCKED_FIELDS:
            data.pop(name, None)
        service_areas = None
    for name, value in data.items():
        setattr(provider, name, value)
    provider.domain = Provider.domain_of(provider.kind)
    provider._history_user = user  # API calls authenticated by token have no session user
    check_provider(provider, user, previous_code=previous_code)
    with transaction.atomic():
        provider.full_clean()
        provider.save()
        if service_areas is not None:
            provider.service_areas.set(service_areas)
    return provider


def check_staff(staff: Staff, user, *, previous_index: str | None = None) -> None:
    errors: dict[str, list[str]] = {}
    if not Provider.objects.for_user(user).filter(pk=staff.provider_id).exists():
        errors.setdefault("provider", []).append(_("所在机构不在您的管辖范围内"))
    if staff.id_number_index and staff.id_number_index != previous_index:
        listing = blocking_listing_for_person(staff.id_number_index)
        if listing is not None:
            errors.setdefault("id_number", []).append(person_block_message(listing))
    if errors:
        raise ValidationError(errors)


def register_staff(
    data: dict[str, Any], user, *, id_number: str | None = None, instance: Staff | None = None
) -> Staff:
    """Create (or update) a staff record; the ID number is validated, encrypted and indexed."""
    staff = instance or Staff()
    previous_index = staff.id_number_index if staff.pk else None
    for name, value in data.items():
        setattr(staff, name, value)
    if id_number:
        try:
            staff.set_id_number(id_number)
        except ValidationError as exc:
            raise ValidationError({"id_number": exc.messages}) from exc
    elif not staff.pk:
        raise ValidationError({"id_number": [_("请填写身份证号")]})
    staff._history_user = user
    check_staff(staff, user, previous_index=previous_index)
    if staff.id_number_index != previous_index:
        staff.credit_status = credit_status_for(staff.id_number_index)
    with transaction.atomic():
        staff.full_clean()
        staff.save()
    return staff


# Capacity and occupancy -----------------------------------------------------------------------


@dataclass(frozen=True)
class Occupancy:
    capacity: int  # beds (elderly) or places (childcare) in force
    occupied: int  # open residencies
    unit: str

    @property
    def vacancy(self) -> int:
        return max(self.capacity - self.occupied, 0)

    @property
    def rate(self) -> float | None:
        return round(100 * self.occupied / self.capacity, 1) if self.capacity else None


def occupancy(provider: Provider, on: dt.date | None = None) -> Occupancy:
    on = on or timezone.localdate()
    record = provider.capacity_on(on)
    if provider.domain == Domain.CHILDCARE:
        total, unit = (record.places_total if record else 0), _("托位")
    else:
        total, unit = (record.beds_total if record else 0), _("床位")
    return Occupancy(capacity=total, occupied=provider.occupied_beds(on), unit=unit)


def capacity_summary(queryset, on: dt.date | None = None) -> dict[str, int]:
    """Sum of the capacity in force on ``on`` over providers (0 where nothing is recorded)."""
    on = on or timezone.localdate()
    annotated = queryset.with_capacity(on)
    totals = annotated.aggregate(
        **{name: Sum(f"cap_{name}") for name in CapacityRecord.COUNT_FIELDS}
    )
    return {name: totals[name] or 0 for name in CapacityRecord.COUNT_FIELDS}


def capacity_differs(record: CapacityRecord | None, counts: dict[str, int]) -> bool:
    if record is None:
        return any(counts.values())
    return any(getattr(record, name) != value for name, value in counts.items())


def open_residencies_q(on: dt.date) -> Q:
    return Q(admitted_on__lte=on) & (Q(discharged_on__isnull=True) | Q(discharged_on__gt=on))


def listing_index(raw_id_number: str) -> tuple[str, str]:
    """Blind index and mask of a person's ID number for a credit listing."""
    from carecircle.core.idnumbers import parse_resident_id

    parsed = parse_resident_id(raw_id_number)
    return id_number_index(parsed.number), parsed.masked
