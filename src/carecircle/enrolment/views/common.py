"""Pieces shared by the enrolment pages."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import cached_property

from carecircle.core.views import ScopedAccessMixin
from carecircle.enrolment import services

DAILY_KEY = "enrolment:daily:{day}"


def ensure_daily_maintenance(today: dt.date | None = None) -> None:
    """Lapse expired offers and age out children who turned 3, at most once a day per cache.

    Pages show the state of today even when the daily job (``manage enrolment_daily``) has not
    run yet; both steps are idempotent."""
    today = today or timezone.localdate()
    key = DAILY_KEY.format(day=today.isoformat())
    if cache.get(key):
        return
    services.lapse_expired_offers()
    services.age_out(today)
    cache.set(key, True, 6 * 3600)


class ScopedObjectMixin(ScopedAccessMixin):
    """A view about one object found by UUID in the user's scope (404 outside it)."""

    lookup_model = None

    @cached_property
    def target(self):
        model = self.lookup_model or self.model
        return get_object_or_404(
            model.objects.for_user(self.request.user), uuid=self.kwargs["uuid"]
        )
