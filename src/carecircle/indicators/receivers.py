"""Live values: saving or deleting a record recomputes the indicators that depend on it.

Changes are collected per transaction (an import of many rows is one batch) and recomputed once
it commits, for the units the records were and are attached to. This is plumbing that keeps a
derived table current, not a business rule: what is computed is declared in ``definitions``.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

log = logging.getLogger(__name__)
_state = threading.local()
# Above this many changed units a full computation of the affected indicators is cheaper.
FULL_RECOMPUTE_UNITS = 400


def _watchers(model) -> dict[str, tuple[str, ...]]:
    cache = getattr(_state, "watchers", None)
    if cache is None:
        cache = _state.watchers = {}
    if model not in cache:
        from carecircle.indicators.services import codes_watching

        cache[model] = codes_watching(model)
    return cache[model]


def area_ids_of(instance, lookup: str) -> set[int]:
    """Area ids ``lookup`` leads to from ``instance`` (``provider__area``, ``service_areas``)."""
    if lookup == "pk":
        return {instance.pk}
    parts = lookup.split("__")
    objects = [instance]
    for part in parts[:-1]:
        objects = [getattr(obj, part, None) for obj in objects]
        objects = [obj for obj in objects if obj is not None]
    last = parts[-1]
    ids: set[int] = set()
    for obj in objects:
        field = obj._meta.get_field(last)
        if field.many_to_many:
            if obj.pk is not None:
                ids |= set(getattr(obj, last).values_list("pk", flat=True))
        else:
            value = getattr(obj, field.attname, None)
            if value is not None:
                ids.add(value)
    return ids


def _enabled() -> bool:
    return getattr(settings, "CARECIRCLE_LIVE_INDICATORS", True)


def earliest_date(instance):
    """The earliest date a record carries (start dates come first), or ``None`` if it has none:
    no indicator counts a record on a day before all its dates."""
    import datetime as dt

    from django.db import models

    dates = [
        getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField)
    ]
    dates = [d for d in dates if isinstance(d, dt.date)]
    return min(dates) if dates else None


UNDATED = "undated"


def note_change(
    model,
    instance,
    extra_area_ids=(),
    dated: bool = True,
    only: set[str] | None = None,
    schedule: bool = True,
) -> None:
    watchers = _watchers(model)
    if only is not None:
        watchers = {code: lookups for code, lookups in watchers.items() if only & set(lookups)}
    if not watchers or not _enabled():
        return
    pending = getattr(_state, "pending", None)
    if pending is None:
        pending = _state.pending = {}
        _state.since = {}
    day = earliest_date(instance) if dated else None
    for code, lookups in watchers.items():
        previous = _state.since.get(code, UNDATED if day is None else day)
        if previous == UNDATED or day is None:
            _state.since[code] = UNDATED
        else:
            _state.since[code] = min(previous, day)
        areas = pending.setdefault(code, set())
        for lookup in lookups:
            try:
                areas |= area_ids_of(instance, lookup)
            except Exception:  # noqa: BLE001 - a half-deleted object: recompute everything
                areas.add(None)
        areas |= set(extra_area_ids)
    # Scheduled once the change is written (outside a transaction ``on_commit`` runs at once, so
    # "before" notes never schedule), and for every change: a rolled-back transaction drops its
    # callbacks, and what it left pending is flushed by the next commit (a harmless extra
    # recomputation). Later flushes find nothing.
    if schedule:
        transaction.on_commit(_flush)


def _flush() -> None:
    pending = getattr(_state, "pending", None) or {}
    since = getattr(_state, "since", None) or {}
    _state.pending = None
    if not pending:
        return
    from carecircle.indicators.services import compute, recompute_affected

    try:
        full = [
            c for c, areas in pending.items() if None in areas or len(areas) > FULL_RECOMPUTE_UNITS
        ]
        if full:
            days = [since.get(code) for code in full]
            periods = None
            if days and UNDATED not in days and None not in days:
                from carecircle.indicators.periods import standard_periods, window

                first = min(days)
                periods = [p for p in standard_periods() if window(p).on >= first]
            if periods is None or periods:
                compute(full, periods)
        batches: dict[tuple, list[str]] = {}
        for code, areas in pending.items():
            if code not in full:
                day = since.get(code)
                day = None if day == UNDATED else day
                batches.setdefault((frozenset(areas), day), []).append(code)
        for (areas, day), codes in batches.items():
            recompute_affected(codes, areas, since=day)
    except Exception:  # pragma: no cover - never fail the user's save; `indicators compute` repairs
        log.exception("live indicator recomputation failed")


@receiver(pre_save)
def _before_save(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None or not _watchers(sender) or not _enabled():
        return
    old = sender._base_manager.filter(pk=instance.pk).first()
    if old is not None:
        note_change(sender, old, schedule=False)


@receiver(post_save)
def _after_save(sender, instance, raw=False, **kwargs):
    if not raw:
        note_change(sender, instance)


@receiver(post_delete)
def _after_delete(sender, instance, **kwargs):
    note_change(sender, instance)


@receiver(m2m_changed)
def _m2m(sender, instance, action, pk_set=None, **kwargs):
    if action not in ("pre_clear", "post_add", "post_remove", "post_clear"):
        return
    model = type(instance)
    # Only the indicators that follow this relation (e.g. ``service_areas``) can change.
    names = {
        field.name
        for field in model._meta.many_to_many
        if getattr(field.remote_field, "through", None) is sender
    }
    # Before a clear the related ids are still there to be noted; after it, schedule.
    note_change(
        model,
        instance,
        extra_area_ids=pk_set or (),
        dated=False,
        only=names,
        schedule=action != "pre_clear",
    )


def reset() -> None:
    """Forget pending changes and cached watchers (tests that patch the registry call it)."""
    _state.__dict__.clear()
