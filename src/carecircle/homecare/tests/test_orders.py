"""An order's life: dispatch and price, check-in and check-out with the duration, completion,
cancellation, missed visits and rating."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from carecircle.homecare import services
from carecircle.homecare.choices import Funding, OrderStatus
from carecircle.homecare.models import ServiceOrder

pytestmark = pytest.mark.django_db


def now() -> dt.datetime:
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def dispatched(station, contract, items, elder):
    start = now() - dt.timedelta(hours=3)
    return services.schedule(
        ServiceOrder(
            provider=station,
            person=elder,
            item=items["cleaning"],
            scheduled_start=start,
            scheduled_end=start + dt.timedelta(hours=2),
            quantity=Decimal("2"),
            funding=Funding.GOVERNMENT,
        )
    )


def test_dispatch_prices_and_numbers_the_order(dispatched):
    assert dispatched.status == OrderStatus.SCHEDULED
    assert (dispatched.unit_price, dispatched.cost) == (Decimal("30"), Decimal("60.00"))
    assert dispatched.external_ref.startswith("CC") and len(dispatched.external_ref) == 20


def test_check_in_and_out_give_the_duration(dispatched):
    start = now() - dt.timedelta(hours=2)
    services.check_in(dispatched, start)
    services.check_out(dispatched, start + dt.timedelta(minutes=95))
    dispatched.refresh_from_db()
    assert dispatched.duration_minutes == 95
    # Correcting the check-in recomputes it.
    services.check_in(dispatched, start + dt.timedelta(minutes=5))
    dispatched.refresh_from_db()
    assert dispatched.duration_minutes == 90
    services.complete(dispatched)
    assert ServiceOrder.objects.get(pk=dispatched.pk).status == OrderStatus.COMPLETED


def test_check_out_needs_a_check_in_before_it(dispatched):
    with pytest.raises(ValidationError, match="请先签到"):
        services.check_out(dispatched, now())
    services.check_in(dispatched, now() - dt.timedelta(minutes=30))
    with pytest.raises(ValidationError, match="晚于签到"):
        services.check_out(dispatched, now() - dt.timedelta(minutes=40))
    with pytest.raises(ValidationError, match="不能晚于当前时间"):
        services.check_out(dispatched, now() + dt.timedelta(hours=1))


def test_complete_needs_both_checks(dispatched):
    with pytest.raises(ValidationError, match="签到和签退"):
        services.complete(dispatched)
    services.check_in(dispatched, now() - dt.timedelta(minutes=30))
    with pytest.raises(ValidationError, match="签到和签退"):
        services.complete(dispatched)


def test_cancel_and_missed_only_before_check_in(dispatched, items, elder, station):
    services.check_in(dispatched, now() - dt.timedelta(minutes=30))
    with pytest.raises(ValidationError, match="不能取消"):
        services.cancel(dispatched)
    with pytest.raises(ValidationError, match="未上门"):
        services.mark_missed(dispatched)
    later = services.schedule(
        ServiceOrder(
            provider=station,
            person=elder,
            item=items["meal"],
            scheduled_start=now() + dt.timedelta(days=1),
            quantity=Decimal("1"),
        )
    )
    with pytest.raises(ValidationError, match="预约时间未到"):
        services.mark_missed(later)
    services.cancel(later)
    assert later.status == OrderStatus.CANCELLED
    with pytest.raises(ValidationError, match="已取消"):
        services.check_in(later, now())


def test_rating_only_after_completion(dispatched):
    with pytest.raises(ValidationError, match="只能评价已完成"):
        services.rate(dispatched, 5, "")
    services.check_in(dispatched, now() - dt.timedelta(minutes=90))
    services.check_out(dispatched, now() - dt.timedelta(minutes=5))
    services.complete(dispatched)
    services.rate(dispatched, 2, "  服务人员迟到半小时  ")
    dispatched.refresh_from_db()
    assert (dispatched.rating, dispatched.complaint) == (2, "服务人员迟到半小时")
    with pytest.raises(ValidationError):
        services.rate(dispatched, 6, "")
