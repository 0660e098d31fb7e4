"""Small helpers shared by the persons tests."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from carecircle.core.dates import years_before
from carecircle.core.idnumbers import make_resident_id

_seq = itertools.count(101)


def new_id(birth: dt.date, *, male: bool = True) -> str:
    """A fresh valid 18-digit number for ``birth`` (odd sequence: male)."""
    seq = next(_seq) * 2 % 998 + (1 if male else 2)
    return make_resident_id("320685", birth, seq)


def elder_birth(years: int = 75) -> dt.date:
    return years_before(timezone.localdate(), years) - dt.timedelta(days=10)
