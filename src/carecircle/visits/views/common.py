"""Pieces the visits pages share: the elder from the URL, safe return links, person columns."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from carecircle.core.choices import Domain
from carecircle.core.xlsx import Column
from carecircle.indicators.records import area_label
from carecircle.persons.models import Person


def elder_for(request, uuid) -> Person:
    """The elder with this public ID in the user's scope (404 otherwise); merged records and
    children are not elders one can visit."""
    queryset = Person.objects.for_user(request.user).filter(
        domain=Domain.ELDERLY, merged_into__isnull=True
    )
    return get_object_or_404(queryset.select_related("area__parent"), uuid=uuid)


def safe_next(request, fallback: str) -> str:
    """The ``next`` the page was given when it is a path on this site, else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def parse_day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def person_columns(on_fn, lookup=lambda obj: obj) -> list[Column]:
    """Masked name, sex, age and village of the elder ``lookup`` finds on a row."""
    return [
        Column(_("姓名"), lambda o: lookup(o).masked_name, 10),
        Column(_("性别"), lambda o: lookup(o).get_sex_display(), 6),
        Column(_("年龄"), lambda o: lookup(o).age_on(on_fn()), 6),
        Column(_("村（社区）"), lambda o: area_label(lookup(o).area), 22),
    ]
