"""The monthly due list across month ends (31st, February, year end), alerts and scope."""

from __future__ import annotations

import datetime as dt

import pytest

from carecircle.core import testing as t
from carecircle.institutions.models import Residency
from carecircle.persons.choices import LivingArrangement
from carecircle.visits import services
from carecircle.visits.models import Visit
from carecircle.visits.services import Month, due_query, due_summary
from carecircle.visits.tests.conftest import elder

pytestmark = pytest.mark.django_db
D = dt.date


def visit(person, day):
    return Visit.objects.create(person=person, visited_on=day, visitor_name="张村干")


def due_pks(user, month, on, **kwargs):
    return set(due_query(user, month, on, **kwargs).due.values_list("pk", flat=True))


def test_months_and_their_ends():
    assert Month(2025, 1).last == D(2025, 1, 31)
    assert Month(2025, 2).last == D(2025, 2, 28)
    assert Month(2024, 2).last == D(2024, 2, 29)
    assert Month(2025, 1).previous() == Month(2024, 12)
    assert Month(2024, 12).following() == Month(2025, 1)
    assert Month(2025, 3).snapshot(D(2025, 3, 15)) == D(2025, 3, 15)
    assert Month(2025, 2).snapshot(D(2025, 3, 15)) == D(2025, 2, 28)
    today = D(2025, 3, 15)
    assert Month.parse("2024-02", today) == Month(2024, 2)
    assert Month.parse("2025-13", today) == Month(2025, 3)
    assert Month.parse("2025-04", today) == Month(2025, 3)  # the future: this month
    assert Month.parse(None, today) == Month(2025, 3)


def test_visit_on_the_31st_counts_for_its_month(village_worker):
    person = elder()
    visit(person, D(2025, 1, 31))
    on = D(2025, 3, 15)
    assert person.pk not in due_pks(village_worker, Month(2025, 1), on)
    # February (28 days) has no visit: due, but not missed the month before.
    february = due_query(village_worker, Month(2025, 2), on)
    row = february.due.get(pk=person.pk)
    assert february.on == D(2025, 2, 28)
    assert row.last_visited_on == D(2025, 1, 31)
    assert row.missed_previous is False
    visit(person, D(2025, 2, 28))
    assert person.pk not in due_pks(village_worker, Month(2025, 2), on)
    assert person.pk in due_pks(village_worker, Month(2025, 3), on)


def test_leap_day_counts_for_february(village_worker):
    person = elder()
    visit(person, D(2024, 2, 29))
    assert person.pk not in due_pks(village_worker, Month(2024, 2), D(2024, 5, 1))
    march = due_query(village_worker, Month(2024, 3), D(2024, 5, 1))
    assert march.due.get(pk=person.pk).missed_previous is False


def test_year_end(village_worker):
    visited = elder(name="年底访")
    missed = elder(name="年底漏")
    visit(visited, D(2024, 12, 31))
    january = due_query(village_worker, Month(2025, 1), D(2025, 1, 20))
    rows = {p.pk: p for p in january.due}
    assert set(rows) == {visited.pk, missed.pk}
    assert rows[visited.pk].missed_previous is False
    assert rows[missed.pk].missed_previous is True
    assert due_pks(village_worker, Month(2024, 12), D(2025, 1, 20)) == {missed.pk}


def test_visits_after_the_snapshot_day_do_not_count(village_worker):
    person = elder()
    visit(person, D(2025, 3, 20))
    assert person.pk in due_pks(village_worker, Month(2025, 3), D(2025, 3, 15))
    assert person.pk not in due_pks(village_worker, Month(2025, 3), D(2025, 3, 20))


def test_only_the_group_is_due(village_worker, comfortable):
    member = elder(name="低保户")
    alone_old = elder(flag=None, birth=D(1940, 1, 1), living_arrangement=LivingArrangement.ALONE)
    severe = elder(flag=None, disability_kind="physical", disability_grade=2)
    mild = elder(flag=None, disability_kind="physical", disability_grade=3)
    young_alone = elder(flag=None, birth=D(1955, 1, 1), living_arrangement=LivingArrangement.ALONE)
    resident = elder(name="住院者")
    provider = t.make_provider(t.VILLAGE_A1)
    Residency.objects.create(provider=provider, person=resident, admitted_on=D(2024, 6, 1))
    died = elder(death_date=D(2025, 2, 10))
    january = due_pks(village_worker, Month(2025, 1), D(2025, 3, 1))
    assert january == {member.pk, alone_old.pk, severe.pk, died.pk}
    february = due_pks(village_worker, Month(2025, 2), D(2025, 3, 1))
    assert february == {member.pk, alone_old.pk, severe.pk}
    assert comfortable.pk not in january and mild.pk not in january
    assert young_alone.pk not in january


def test_a_flag_counts_from_its_day(village_worker):
    person = elder(since=D(2025, 2, 15))
    assert person.pk not in due_pks(village_worker, Month(2025, 1), D(2025, 3, 1))
    february = due_query(village_worker, Month(2025, 2), D(2025, 3, 1))
    # Not in the group at the end of January: not "missed" then.
    assert february.due.get(pk=person.pk).missed_previous is False


def test_summary_and_stale_alerts(village_worker, comfortable):
    on = D(2025, 3, 15)
    recent = elder(name="近访")
    old = elder(name="久访")
    never = elder(name="未访")
    done = elder(name="已访")
    visit(recent, D(2025, 2, 10))  # 33 days before the 15th
    visit(old, D(2025, 1, 5))  # 69 days
    visit(done, D(2025, 3, 1))
    query = due_query(village_worker, Month(2025, 3), on, days=45)
    summary = due_summary(services.due_by_village(query))
    assert summary == {"total": 4, "visited": 1, "due": 3, "missed": 2, "stale": 2}
    stale = set(query.due.filter(services.stale_q(query.stale_before)).values_list("pk", flat=True))
    assert stale == {old.pk, never.pk}
    # With 30 days, the recent one is stale too.
    query = due_query(village_worker, Month(2025, 3), on, days=30)
    assert due_summary(services.due_by_village(query))["stale"] == 3


def test_scope_and_villages(village_worker, other_village_worker, town_officer):
    mine = elder(name="本村")
    theirs = elder(t.VILLAGE_A2, name="邻村")
    on = D(2025, 3, 15)
    assert due_pks(village_worker, Month(2025, 3), on) == {mine.pk}
    assert due_pks(other_village_worker, Month(2025, 3), on) == {theirs.pk}
    query = due_query(town_officer, Month(2025, 3), on)
    assert {row["code"]: row["due"] for row in services.due_by_village(query)} == {
        t.VILLAGE_A1: 1,
        t.VILLAGE_A2: 1,
    }
