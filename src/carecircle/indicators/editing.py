"""Editing the catalogue: an indicator's definition and its yearly targets (audited, with history).

A change to what a value means (target, direction, attribute, formula, plausible range, target
inheritance) bumps the definition ``version``; names and owner departments do not. Statuses of the
stored values of open periods are then re-assessed against the new targets, so every screen shows
the new status at once; closed periods stay as published.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction

from carecircle.audit.choices import AuditAction
from carecircle.audit.services import record
from carecircle.indicators.hierarchy import hierarchy_on
from carecircle.indicators.models import Indicator, IndicatorValue, Target
from carecircle.indicators.periods import window
from carecircle.indicators.services import closed_periods
from carecircle.indicators.status import assess
from carecircle.indicators.targets import TargetBook

# Changes to these fields change what a value means: the definition gets a new version.
DEFINITION_FIELDS = (
    "target_op",
    "target_value",
    "attribute",
    "formula_zh",
    "policy_clause",
    "min_value",
    "max_value",
    "targets_inherit",
)
EDITABLE_FIELDS = ("name_zh", "name_en", "owner_departments", *DEFINITION_FIELDS)
# Changes to these fields change the statuses of stored values.
STATUS_FIELDS = ("target_op", "target_value", "targets_inherit")


@transaction.atomic
def update_definition(request, indicator: Indicator, changes: dict) -> list[str]:
    """Apply ``changes`` (editable fields only); returns the names of the fields that changed."""
    if not request.user.has_perm("indicators.change_indicator"):
        raise PermissionDenied
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    changed = [
        name
        for name, value in changes.items()
        if name in EDITABLE_FIELDS and getattr(indicator, name) != value
    ]
    if not changed:
        return []
    for name in changed:
        setattr(indicator, name, changes[name])
    if set(changed) & set(DEFINITION_FIELDS):
        indicator.version += 1
    indicator.save()
    record(
        request,
        AuditAction.CONFIG_CHANGE,
        obj=indicator,
        fields=changed,
        version=indicator.version,
    )
    if set(changed) & set(STATUS_FIELDS):
        reassess(indicator)
    return changed


@transaction.atomic
def set_target(
    request, indicator: Indicator, area, year: int, value: Decimal, note: str = ""
) -> Target:
    """Create or update the milestone of ``area`` for ``year`` (no longer a default one)."""
    user = request.user
    existing = Target.objects.filter(indicator=indicator, area=area, year=year).first()
    needed = "indicators.change_target" if existing else "indicators.add_target"
    if not user.has_perm(needed) or not user.has_perm("indicators.change_target"):
        raise PermissionDenied
    target = existing or Target(indicator=indicator, area=area, year=year)
    target.value = value
    target.note = note
    target.is_default = False
    target.full_clean()
    target.save()
    record(
        request,
        AuditAction.CONFIG_CHANGE,
        obj=target,
        label=str(target),
        value=str(value),
        created=existing is None,
    )
    reassess(indicator)
    return target


@transaction.atomic
def clear_target(request, target: Target) -> None:
    """Remove a set milestone: the year falls back to the parent's or the linear default."""
    if not request.user.has_perm("indicators.delete_target"):
        raise PermissionDenied
    indicator = target.indicator
    record(request, AuditAction.CONFIG_CHANGE, obj=target, label=str(target), deleted=True)
    target.delete()
    reassess(indicator)


def reassess(indicator: Indicator) -> int:
    """Re-assess target and status of the stored values of ``indicator`` in open periods."""
    indicator = Indicator.objects.get(pk=indicator.pk)
    closed = closed_periods()
    values = list(IndicatorValue.objects.filter(indicator=indicator).exclude(period__in=closed))
    if not values:
        return 0
    by_period: dict[str, list[IndicatorValue]] = {}
    for value in values:
        by_period.setdefault(value.period, []).append(value)
    book = None
    changed = []
    for period, rows in by_period.items():
        w = window(period)
        h = hierarchy_on(w.on)
        if book is None:
            book = TargetBook({indicator.code: indicator}, h.root_id)
        for row in rows:
            target = book.target(indicator, h.ancestors(row.area_id) or (row.area_id,))
            status, ratio = assess(indicator, row.value, row.baseline, target, w.on)
            if (row.target, row.status, row.growth_ratio) != (target, status, ratio):
                row.target, row.status, row.growth_ratio = target, status, ratio
                changed.append(row)
    IndicatorValue.objects.bulk_update(
        changed, ["target", "status", "growth_ratio"], batch_size=2000
    )
    return len(changed)
