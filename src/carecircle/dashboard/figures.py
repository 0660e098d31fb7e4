"""Worklist figures of the service hubs, each for the user's own scope and from the same queries
as the worklist page it links to (so the figure and the page always agree)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def assessments_due(user, today: dt.date) -> int:
    from carecircle.assessments.services import due_days
    from carecircle.assessments.worklist import due_elders
    from carecircle.persons.models import Person

    return due_elders(Person.objects.for_user(user), today, due_days()).count()


def visits_due(user, today: dt.date) -> int:
    from carecircle.visits.services import Month, due_query

    return due_query(user, Month.of(today), today).due.count()


def calls_open(user, today: dt.date) -> int:
    from carecircle.emergency.models import CallEvent

    return CallEvent.objects.for_user(user).filter(closed_at__isnull=True).count()


def orders_open(user, today: dt.date) -> int:
    """Orders of this month still scheduled (not completed, cancelled or marked missed)."""
    from carecircle.homecare.choices import OrderStatus
    from carecircle.homecare.models import ServiceOrder

    start = timezone.make_aware(dt.datetime.combine(today.replace(day=1), dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(_next_month(today), dt.time.min))
    return (
        ServiceOrder.objects.for_user(user)
        .filter(status=OrderStatus.SCHEDULED, scheduled_start__gte=start, scheduled_start__lt=end)
        .count()
    )


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def filings_pending(user, today: dt.date) -> int:
    """Submitted filings awaiting the health commission's decision (the review queue)."""
    from carecircle.childcare.choices import FilingState
    from carecircle.childcare.models import Filing

    return Filing.objects.for_user(user).filter(state=FilingState.SUBMITTED).count()


def applications_open(user, today: dt.date) -> int:
    """Childcare applications still in play: submitted, waiting or holding an offer."""
    from carecircle.enrolment.choices import OPEN_STATUSES
    from carecircle.enrolment.models import Application

    return Application.objects.for_user(user).filter(status__in=OPEN_STATUSES).count()
