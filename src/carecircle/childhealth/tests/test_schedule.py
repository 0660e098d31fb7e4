"""What is due and overdue for a child, day by day across the first months (grace 30 days).

The child is born 2025-01-10: the newborn visit is due at once (deadline +28 days = 02-07, window
closing at 56 days = 03-07); the screening's deadline is 01-17 and its window closes on day 20
(01-30); HepB-1 and BCG are due at birth (deadline 02-09); HepB-2 at one month (02-10, deadline
03-12); the 满月 check at one month (deadline 03-12, missed once the 3-month check falls due on
04-10).
"""

import datetime as dt

import pytest

from carecircle.childhealth import schedule, services
from carecircle.childhealth.choices import SYSTEMATIC_CHECKPOINTS, Checkpoint, ItemState
from carecircle.childhealth.models import VaccineDose
from carecircle.childhealth.tests.conftest import (
    check,
    make_child,
    screen,
    vaccinate,
    vaccinate_on_time,
    visit,
)
from carecircle.persons.models import Person

pytestmark = pytest.mark.django_db
D = dt.date


def states(child, on) -> dict[str, tuple[str, dt.date | None]]:
    return {
        item.label: (item.state.value, item.done_on) for item in services.child_items(child, on)
    }


def test_the_schedule_is_loaded_as_data():
    doses = list(VaccineDose.objects.values_list("code", "dose_number", "due_months"))
    assert len(doses) == 18
    assert doses[0] == ("HepB", 1, 0) and doses[-1] == ("JE-L", 2, 24)
    assert {code for code, _n, _m in doses} == {
        *("HepB", "BCG", "IPV", "bOPV", "DTaP", "MMR", "JE-L", "MPSV-A", "HepA-L"),
    }


def test_add_months_keeps_the_day_or_takes_the_last():
    assert schedule.add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert schedule.add_months(D(2024, 2, 29), 12) == D(2025, 2, 28)
    assert schedule.add_months(D(2025, 11, 15), 3) == D(2026, 2, 15)


def test_due_and_overdue_across_the_first_months(child):
    assert child.birth_date == D(2025, 1, 10)
    vaccinate(child, "HepB", 1, D(2025, 1, 10))
    at_birth = states(child, D(2025, 1, 10))
    assert at_birth["新生儿家庭访视"] == ("due", None)
    assert at_birth["新生儿遗传代谢病筛查"] == ("due", None)
    assert at_birth["乙肝疫苗第1剂（HepB）"] == ("done", D(2025, 1, 10))
    assert at_birth["卡介苗第1剂（BCG）"] == ("due", None)
    assert at_birth["乙肝疫苗第2剂（HepB）"] == ("upcoming", None)
    assert at_birth["满月"] == ("upcoming", None)

    on_feb_9 = states(child, D(2025, 2, 9))  # the last day of grace for BCG
    assert on_feb_9["卡介苗第1剂（BCG）"] == ("due", None)
    assert on_feb_9["新生儿家庭访视"] == ("overdue", None)  # 28 days passed on 02-07
    assert on_feb_9["新生儿遗传代谢病筛查"] == ("missed", None)  # window closed on 01-30

    on_feb_10 = states(child, D(2025, 2, 10))
    assert on_feb_10["卡介苗第1剂（BCG）"] == ("overdue", None)
    assert on_feb_10["乙肝疫苗第2剂（HepB）"] == ("due", None)
    assert on_feb_10["满月"] == ("due", None)

    vaccinate(child, "BCG", 1, D(2025, 2, 12))
    visit(child, D(2025, 3, 1))  # late, but inside the window
    on_mar_13 = {i.label: i for i in services.child_items(child, D(2025, 3, 13))}
    assert on_mar_13["卡介苗第1剂（BCG）"].state == ItemState.DONE
    assert on_mar_13["卡介苗第1剂（BCG）"].late
    assert on_mar_13["新生儿家庭访视"].late
    assert on_mar_13["乙肝疫苗第2剂（HepB）"].state == ItemState.OVERDUE
    assert on_mar_13["满月"].state == ItemState.OVERDUE

    on_apr_10 = states(child, D(2025, 4, 10))
    assert on_apr_10["满月"] == ("missed", None)  # the 3-month check is due now
    assert on_apr_10["3月龄"] == ("due", None)
    assert on_apr_10["乙肝疫苗第2剂（HepB）"] == ("overdue", None)  # doses are caught up
    summary = services.summary(services.child_items(child, D(2025, 4, 10)))
    assert summary["done"] == 3 and summary["missed"] == 2


def test_grace_is_a_setting(child, settings):
    settings.CARECIRCLE_VACCINE_GRACE_DAYS = 10
    assert states(child, D(2025, 1, 21))["卡介苗第1剂（BCG）"] == ("overdue", None)
    settings.CARECIRCLE_VACCINE_GRACE_DAYS = 60
    assert states(child, D(2025, 3, 1))["卡介苗第1剂（BCG）"] == ("due", None)


def _up_to_date(on):
    return set(
        Person.objects.filter(schedule.vaccines_up_to_date_q(on)).values_list("pk", flat=True)
    )


def test_vaccines_up_to_date_month_by_month():
    early = make_child(birth=D(2024, 6, 15))  # every dose three days late
    vaccinate_on_time(early, D(2026, 12, 31))
    gap = make_child(birth=D(2024, 6, 15), name="缺剂次")  # never gets DTaP-2 (due 2024-10-15)
    vaccinate_on_time(gap, D(2026, 12, 31))
    gap.vaccinations.filter(dose__code="DTaP", dose__dose_number=2).delete()
    newborn = make_child(birth=D(2024, 11, 1), name="新生儿")  # nothing at all
    # DTaP-2's deadline for the gap child is 2024-11-14; the newborn's birth doses 2024-12-01.
    assert _up_to_date(D(2024, 11, 14)) == {early.pk, gap.pk, newborn.pk}
    assert _up_to_date(D(2024, 11, 15)) == {early.pk, newborn.pk}
    assert _up_to_date(D(2024, 12, 1)) == {early.pk, newborn.pk}
    assert _up_to_date(D(2024, 12, 2)) == {early.pk}
    # A dose given later than its deadline: up to date again from that day.
    vaccinate(gap, "DTaP", 2, D(2025, 2, 1))
    assert _up_to_date(D(2025, 1, 31)) == {early.pk}
    assert _up_to_date(D(2025, 2, 1)) == {early.pk, gap.pk}


def test_systematic_checks_follow_the_4_2_2_rule():
    child = make_child(birth=D(2023, 3, 1))
    for months in (3, 6, 8, 12, 18, 24):
        check(child, months, schedule.add_months(child.birth_date, months))
    managed = Person.objects.filter(schedule.checks_done_q(D(2025, 9, 30), SYSTEMATIC_CHECKPOINTS))
    assert list(managed) == [child]  # the 30-month check is due 2025-09-01, deadline 10-01
    late = Person.objects.filter(schedule.checks_done_q(D(2025, 10, 2), SYSTEMATIC_CHECKPOINTS))
    assert not late.exists()
    # The 满月 check is not part of the 4:2:2 rule but is among the checks of the year (C02).
    assert Person.objects.filter(schedule.checks_done_q(D(2023, 12, 31), Checkpoint)).count() == 0


def test_worklist_lists_only_actionable_overdue_items(child, other_child):
    screen(child, D(2025, 1, 13))
    visit(child, D(2025, 1, 15))
    vaccinate_on_time(child, D(2025, 12, 31), late_days=0)
    check(child, 1, D(2025, 2, 10))
    on = D(2025, 3, 20)
    rows = {p.pk: p for p in services.overdue_children(Person.objects.all(), on)}
    # other_child, born 2025-03-02: nothing past its deadline yet on 03-20 except the screening.
    assert set(rows) == {other_child.pk}
    assert rows[other_child.pk].screening_overdue and not rows[other_child.pk].vaccine_overdue
    later = {p.pk: p for p in services.overdue_children(Person.objects.all(), D(2025, 5, 12))}
    # child: the 3-month check (due 04-10) is overdue. other_child: its birth doses are overdue;
    # the visit's window closed on 04-27 and the screening's on 03-22 (missed, not actionable).
    assert later[child.pk].check_overdue and not later[child.pk].vaccine_overdue
    assert later[other_child.pk].vaccine_overdue
    assert not later[other_child.pk].visit_overdue and not later[other_child.pk].screening_overdue


def test_a_check_is_judged_in_the_year_its_deadline_passes():
    child = make_child(birth=D(2024, 11, 20))  # 满月 due 2024-12-20, deadline 2025-01-19

    def managed(on):
        since = D(on.year, 1, 1)
        condition = schedule.checks_done_q(on, Checkpoint, since=since)
        return Person.objects.filter(condition).exists()

    assert managed(D(2024, 12, 31))  # nothing past its deadline in 2024
    assert managed(D(2025, 1, 19))
    assert not managed(D(2025, 1, 20))  # the 满月 check counts against 2025
    check(child, 1, D(2025, 1, 10))
    assert managed(D(2025, 1, 20))
