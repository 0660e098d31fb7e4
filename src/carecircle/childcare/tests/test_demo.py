"""The childcare demo module on a small hand-built city."""

import datetime as dt
import random

import pytest
from stdnum.cn import uscc

from carecircle.childcare import services
from carecircle.childcare.choices import (
    REQUIRED_DOCUMENTS,
    DocumentKind,
    FilingPurpose,
    FilingState,
)
from carecircle.childcare.models import BrandChain, CareNetwork, Filing, FilingNotice
from carecircle.childcare.workdays import WorkingCalendar
from carecircle.core import testing as t
from carecircle.demo.activity import childcare as childcare_demo
from carecircle.demo.bulk import demo_rows, demo_uuid, purge
from carecircle.institutions.choices import DesignationKind, FilingStatus
from carecircle.institutions.models import CapacityRecord, Designation, Provider

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 11, 20)  # a Thursday
RNG = random.Random(3)


def centre(code, name, *, filed_on=None, ownership="private"):
    provider = t.make_provider(
        code,
        kind="childcare_standalone",
        name=name,
        ownership=ownership,
        credit_code=t.credit_code(),
        opened_on=dt.date(2020, 3, 1),
        filing_status=FilingStatus.FILED if filed_on else FilingStatus.NOT_FILED,
        filed_on=filed_on,
        latitude=32.5,
        longitude=120.4,
        uuid=demo_uuid(RNG),
    )
    CapacityRecord.objects.create(
        provider=provider, valid_from=dt.date(2021, 1, 1), places_total=45
    )
    return provider


@pytest.fixture
def city(db):
    filed = [
        centre(t.VILLAGE_A1, "妇幼托育中心", filed_on=dt.date(2021, 5, 10), ownership="public"),
        centre(t.VILLAGE_A2, "贝贝托育中心", filed_on=dt.date(2022, 3, 1)),
        centre(t.TOWN_B, "童乐托育园", filed_on=dt.date(2023, 6, 5)),
        centre(t.TOWN_B, "彩虹托育园", filed_on=dt.date(2024, 2, 2)),
    ]
    unfiled = [centre(t.VILLAGE_A1, "新开托育园"), centre(t.VILLAGE_A2, "小树苗托育园")]
    points = [
        t.make_provider(
            code,
            kind="community_point",
            name=f"社区托育点{i}",
            opened_on=dt.date(2023, 1, 1),
            filing_status=FilingStatus.FILED,
            filed_on=dt.date(2023, 2, 1),
            uuid=demo_uuid(RNG),
            latitude=32.5 + i / 100,
            longitude=120.4,
        )
        for i, code in enumerate((t.VILLAGE_A1, t.VILLAGE_A2, t.TOWN_B))
    ]
    Designation.objects.create(
        provider=filed[0],
        kind=DesignationKind.HUB_1N,
        issuing_level="county",
        granted_on=dt.date(2024, 3, 1),
    )
    for provider in filed[1:3]:
        Designation.objects.create(
            provider=provider,
            kind=DesignationKind.BRAND_CHAIN,
            issuing_level="county",
            granted_on=dt.date(2023, 10, 10),
        )
    return filed, unfiled, points


def test_filings_follow_the_registry(city):
    filed, unfiled, points = city
    counts = childcare_demo.generate(7, TODAY)
    for provider in filed + points:
        filing = provider.filings.get(purpose=FilingPurpose.INITIAL)
        assert (filing.state, filing.decided_on) == (FilingState.FILED, provider.filed_on)
        assert filing.submitted_on < filing.decided_on
        assert set(filing.documents.values_list("kind", flat=True)) == set(REQUIRED_DOCUMENTS)
        assert services.fact_errors(filing) == {}
        filing.full_clean()
        provider.refresh_from_db()
        assert provider.filing_status == FilingStatus.FILED  # unchanged
    assert counts["childcare_filings_filed"] == 7
    assert list(services.public_filings().order_by("provider_id")) == [
        p.filings.get(purpose=FilingPurpose.INITIAL) for p in filed + points
    ]
    calendar = WorkingCalendar()
    overdue = unfiled[0].filings.get()
    info = services.deadline(overdue, TODAY, calendar)
    assert overdue.state == FilingState.SUBMITTED and info.overdue
    recent = unfiled[1].filings.get()
    assert not services.deadline(recent, TODAY, calendar).overdue
    assert recent.submitted_on == dt.date(2025, 11, 19)
    assert counts["childcare_filings_overdue"] == 1
    # Two providers unfiled: a filed one's change takes the sent-back role.
    sent_back = Filing.objects.get(state=FilingState.NEEDS_CORRECTION)
    assert (
        sent_back.purpose == FilingPurpose.CHANGE and sent_back.previous.state == FilingState.FILED
    )
    assert sent_back.change_summary
    notice = FilingNotice.objects.get()
    assert notice.filing == sent_back and notice.published
    assert DocumentKind.FIRE_SAFETY not in set(sent_back.documents.values_list("kind", flat=True))
    assert Filing.objects.count() == demo_rows(Filing).count() == counts["childcare_filings"] == 10


def test_providers_added_by_users_are_left_alone(city):
    added = t.make_provider(t.VILLAGE_A1, kind="family_point", name="用户新增家庭托育点")
    childcare_demo.generate(7, TODAY)
    assert not added.filings.exists()


def test_networks_and_chain(city):
    filed, _unfiled, points = city
    counts = childcare_demo.generate(7, TODAY)
    network = CareNetwork.objects.get()
    assert network.hub == filed[0] and network.established_on == dt.date(2024, 3, 1)
    assert set(network.satellites.all()) == set(points)
    chain = BrandChain.objects.get()
    members = set(chain.members.all())
    assert set(filed[1:3]) <= members and len(members) == counts["childcare_chain_members"]
    assert uscc.is_valid(chain.operator_credit_code)


def test_demo_rows_leave_with_their_providers(city):
    childcare_demo.generate(7, TODAY)
    purge(Provider.objects.filter(kind__in=("childcare_standalone", "community_point")))
    assert not Filing.objects.exists() and not CareNetwork.objects.exists()
    assert not BrandChain.members.through.objects.exists()
    childcare_demo.generate(7, TODAY)  # the next load removes the empty chain
    assert not BrandChain.objects.exists()
