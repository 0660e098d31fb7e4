"""The area hierarchy as it was on a day, for rolling values up (history is never rewritten).

A unit's parent on a day is the one its ``AreaVersion`` valid that day names, else its current
parent. Units closed before the day (merged villages) still carry their records up to their last
parent, but get no value of their own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings

from carecircle.areas.models import Area, AreaVersion


@dataclass
class Hierarchy:
    day: dt.date
    root_id: int
    parent: dict[int, int | None]
    valid: set[int]  # units that exist on the day (and get a value)
    _ancestors: dict[int, tuple[int, ...]] = field(default_factory=dict)
    _children: dict[int, list[int]] | None = None
    _below: dict[int, set[int]] | None = None

    def ancestors(self, area_id: int) -> tuple[int, ...]:
        """The unit itself and every unit above it up to the root, on the day."""
        cached = self._ancestors.get(area_id)
        if cached is not None:
            return cached
        chain: list[int] = []
        current: int | None = area_id
        seen: set[int] = set()
        while current is not None and current not in seen:
            seen.add(current)
            chain.append(current)
            if current == self.root_id:
                break
            current = self.parent.get(current)
        result = tuple(chain) if chain and chain[-1] == self.root_id else ()
        self._ancestors[area_id] = result
        return result

    def children(self) -> dict[int, list[int]]:
        """The valid units directly below each unit (computed once)."""
        if self._children is None:
            out: dict[int, list[int]] = {}
            for child, parent in self.parent.items():
                if parent is not None and child in self.valid:
                    out.setdefault(parent, []).append(child)
            self._children = out
        return self._children

    def subtree(self, area_id: int) -> set[int]:
        """Every unit (valid or closed) whose chain on the day passes through ``area_id``."""
        if self._below is None:
            below: dict[int, set[int]] = {}
            for unit in self.parent:
                for ancestor in self.ancestors(unit):
                    below.setdefault(ancestor, set()).add(unit)
            self._below = below
        return set(self._below.get(area_id, ()))

    def rollup(self, own: dict[int, object]) -> dict[int, object]:
        """Sum values attached to units into every valid unit above them (themselves included)."""
        totals: dict[int, object] = {}
        for area_id, amount in own.items():
            if not amount:
                continue
            for ancestor in self.ancestors(area_id):
                if ancestor in self.valid:
                    totals[ancestor] = totals.get(ancestor, 0) + amount
        return totals


def hierarchy_on(day: dt.date) -> Hierarchy:
    return hierarchies_on([day])[day]


def hierarchies_on(days) -> dict[dt.date, Hierarchy]:
    """The hierarchy on each of ``days``, from one read of the units and their history."""
    root_path = _root_path()
    areas = list(
        Area.objects.filter(path__startswith=root_path).values_list(
            "pk", "code", "parent_id", "valid_from", "valid_to"
        )
    )
    # Oldest first, so that the last version starting on or before a day wins.
    versions = list(
        AreaVersion.objects.filter(area__path__startswith=root_path)
        .order_by("valid_from", "pk")
        .values_list("area_id", "parent_id", "valid_from")
    )
    out: dict[dt.date, Hierarchy] = {}
    for day in set(days):
        parent: dict[int, int | None] = {}
        valid: set[int] = set()
        root_id = None
        for pk, code, parent_id, valid_from, valid_to in areas:
            parent[pk] = parent_id
            if code == settings.CARECIRCLE_ROOT_AREA:
                root_id = pk
            if valid_from <= day and (valid_to is None or valid_to > day):
                valid.add(pk)
        # The version in force on the day; for a closed unit, its last version before the day.
        for area_id, parent_id, valid_from in versions:
            if valid_from <= day:
                parent[area_id] = parent_id
        out[day] = Hierarchy(day=day, root_id=root_id, parent=parent, valid=valid)
    return out


def _root_path() -> str:
    return Area.objects.values_list("path", flat=True).get(code=settings.CARECIRCLE_ROOT_AREA)
