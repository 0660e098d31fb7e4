"""The service hubs: who may open which, which sections and figures they show, and the figures'
agreement with the user's scope."""

import datetime as dt

import pytest
from django.urls import reverse

from carecircle.accounts.choices import Role
from carecircle.childcare.choices import FilingState
from carecircle.childcare.tests.conftest import make_filing
from carecircle.core import testing as t
from carecircle.core.choices import ScopeDomain
from carecircle.dashboard.hub import open_hubs

ELDERLY = "/services/elderly/"
CHILDCARE = "/services/childcare/"


def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    return response.status_code, response.content.decode()


def _childcare_provider(code, name):
    return t.make_provider(code, kind="childcare_standalone", name=name)


def test_urls_are_named():
    assert reverse("dashboard:elderly-services") == ELDERLY
    assert reverse("dashboard:childcare-services") == CHILDCARE


def test_village_worker_opens_both_hubs_with_their_sections(client, village_worker):
    assert open_hubs(village_worker) == {"elderly", "childcare"}
    status, page = _page(client, village_worker, ELDERLY)
    assert status == 200
    assert "特殊困难老年人探访" in page and "本月尚未探访" in page
    assert reverse("visits:due") in page
    assert f'href="{ELDERLY}"' in page and f'href="{CHILDCARE}"' in page  # navigation
    status, page = _page(client, village_worker, CHILDCARE)
    assert status == 200
    assert "托育机构备案" in page
    # The review queue figure needs the review permission, which a village worker lacks.
    assert "待审核备案" not in page
    assert reverse("childcare:filing-queue") not in page


def test_domain_limits_the_hubs(client, civil_affairs_officer):
    # The civil-affairs officer works on elderly care only: no childcare hub, no link to it.
    assert open_hubs(civil_affairs_officer) == {"elderly"}
    status, page = _page(client, civil_affairs_officer, ELDERLY)
    assert status == 200 and f'href="{CHILDCARE}"' not in page
    assert client.get(CHILDCARE).status_code == 403


def test_assessor_sees_only_assessments(client, db):
    assessor = t.make_user(Role.ASSESSOR, area_code=t.CITY, domain=ScopeDomain.ELDERLY)
    status, page = _page(client, assessor, ELDERLY)
    assert status == 200
    assert "老年人能力评估" in page
    assert "特殊困难老年人探访" not in page and "居家上门服务" not in page


def test_users_without_service_permissions_get_no_hub(client, db):
    reporter = t.make_user(Role.DEPARTMENT_OFFICER, area_code=t.CITY)
    assert open_hubs(reporter) == set()
    client.force_login(reporter)
    assert client.get(ELDERLY).status_code == 403
    assert client.get(CHILDCARE).status_code == 403


def test_anonymous_users_are_sent_to_login(client, db):
    response = client.get(CHILDCARE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_filing_figure_counts_submitted_filings_in_scope(client, health_officer):
    today = dt.date.today()
    mine = _childcare_provider(t.VILLAGE_A1, "钟涵托育园")
    make_filing(mine, state=FilingState.SUBMITTED, submitted_on=today)
    make_filing(_childcare_provider(t.TOWN_B, "城东托育园"), state=FilingState.SUBMITTED,
                submitted_on=today)  # fmt: skip
    make_filing(_childcare_provider(t.VILLAGE_A2, "拥徐托育园"))  # a draft: not in the queue
    status, page = _page(client, health_officer, CHILDCARE)
    assert status == 200
    assert "待审核备案" in page
    figure = page.split("待审核备案", 1)[1]
    assert '<div class="value">2</div>' in figure.split("</a>", 1)[0]
    town = t.make_user(Role.HEALTH_OFFICER, area_code=t.TOWN_B, domain=ScopeDomain.CHILDCARE)
    status, page = _page(client, town, CHILDCARE)
    figure = page.split("待审核备案", 1)[1]
    assert '<div class="value">1</div>' in figure.split("</a>", 1)[0]


@pytest.mark.parametrize("kind", ["childcare_standalone", "home_care_station"])
def test_institution_staff_open_the_hub_of_their_institution(client, db, kind):
    provider = t.make_provider(t.VILLAGE_A1, kind=kind)
    staff = t.make_user(Role.INSTITUTION_STAFF, institution=provider)
    expected = "childcare" if kind == "childcare_standalone" else "elderly"
    assert open_hubs(staff) == {expected}
    client.force_login(staff)
    assert client.get(CHILDCARE if expected == "childcare" else ELDERLY).status_code == 200
    assert client.get(ELDERLY if expected == "childcare" else CHILDCARE).status_code == 403


def test_health_worker_opens_both_hubs_for_elder_checks_and_infant_health(client, db):
    worker = t.make_user(Role.HEALTH_WORKER, area_code=t.TOWN_A)
    assert open_hubs(worker) == {"elderly", "childcare"}
    status, page = _page(client, worker, ELDERLY)
    assert status == 200
    assert "老年人健康管理" in page and reverse("health:check-list") in page
    assert "特殊困难老年人探访" not in page
    status, page = _page(client, worker, CHILDCARE)
    assert status == 200 and "婴幼儿健康服务" in page
