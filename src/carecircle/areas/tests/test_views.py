"""Area and estate pages: Chinese content, roll-ups, history, scope (404) and permissions (403)."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from carecircle.areas.loaders import reparent_area
from carecircle.areas.models import Area, ResidentialArea
from carecircle.areas.tests.conftest import estate
from carecircle.core import testing as t


def test_anonymous_is_sent_to_login_and_outsider_refused(client, outsider):
    url = reverse("areas:area-list")
    assert client.get(url).status_code == 302
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    assert client.get(reverse("areas:area-detail", args=[t.CITY])).status_code == 403


def test_area_list_filters(client, city_officer):
    client.force_login(city_officer)
    url = reverse("areas:area-list")
    page = client.get(url).content.decode()
    assert "区划" in page and "海安镇" in page and "乡级" in page
    page = client.get(url, {"ancestor": t.TOWN_A, "level": "village"}).content.decode()
    assert "共 58 条" in page
    page = client.get(url, {"ancestor": t.TOWN_A, "urban": "urban", "page_size": 200})
    assert "中坝社区居委会" in page.content.decode()
    assert "钟涵村委会" not in page.content.decode()
    page = client.get(url, {"q": "钟涵"}).content.decode()
    assert "共 1 条" in page and reverse("areas:area-detail", args=[t.VILLAGE_A1]) in page
    assert "共 1 条" in client.get(url, {"q": t.VILLAGE_A1}).content.decode()
    assert "共 35 条" in client.get(url, {"parent": t.TOWN_B}).content.decode()


def test_abolished_units_are_listed_only_on_request(client, city_officer):
    Area.objects.filter(code=t.VILLAGE_A2).update(valid_to=dt.date(2020, 1, 1))
    client.force_login(city_officer)
    url = reverse("areas:area-list")
    assert (
        "拥徐村委会" not in client.get(url, {"parent": t.TOWN_A, "page_size": 200}).content.decode()
    )
    page = client.get(url, {"parent": t.TOWN_A, "historical": "true", "page_size": 200})
    assert "拥徐村委会" in page.content.decode()
    detail = client.get(reverse("areas:area-detail", args=[t.VILLAGE_A2])).content.decode()
    assert "已撤并" in detail


def test_area_list_export(client, city_officer):
    client.force_login(city_officer)
    response = client.get(reverse("areas:area-list"), {"parent": t.TOWN_A, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:3] == ["区划代码", "名称", "层级"]
    assert sheet.max_row == 1 + 58


def test_area_detail_shows_ancestors_children_population_and_history(
    client, city_officer, facts, django_assert_max_num_queries
):
    reparent_area(
        t.area(t.VILLAGE_A2), parent=t.area(t.TOWN_B), on=dt.date(2024, 6, 1), reason="村庄调整"
    )
    t.make_provider(t.VILLAGE_A1, name="钟涵颐养院")
    client.force_login(city_officer)
    url = reverse("areas:area-detail", args=[t.CITY])
    with django_assert_max_num_queries(20):
        page = client.get(url).content.decode()
    assert "江苏省" in page and "南通市" in page  # breadcrumbs
    assert "下级区划" in page and "海安镇" in page and "城东镇" in page
    # 2024 by default (the latest year): A1 (1100) in town A, A2 (2100) now in town B.
    assert "2024年人口" in page and ">1,100<" in page and ">2,100<" in page
    assert "养老服务机构" in page
    page = client.get(url, {"year": 2023}).content.decode()
    # Figures are shown with thousands separators (intcomma).
    assert ">7,000<" in page  # the city's 2023 roll-up
    assert ">1,000<" in page and ">6,000<" in page  # town A: A1 only; town B: 4000 + 2000

    village = client.get(reverse("areas:area-detail", args=[t.VILLAGE_A2])).content.decode()
    assert "区划沿革" in village and "村庄调整" in village and "2024-06-01" in village
    assert "本村（社区）填报的人口数据" in village


def test_demo_assumption_is_labelled(client, city_officer):
    Area.objects.filter(code=t.TOWN_B).update(is_demo_assumption=True)
    client.force_login(city_officer)
    page = client.get(reverse("areas:area-detail", args=[t.TOWN_B])).content.decode()
    assert "演示假设" in page
    assert client.get(reverse("areas:area-detail", args=["999999"])).status_code == 404


def test_scope_counts_come_from_the_users_scope(client, village_worker, other_village_worker):
    estate(t.VILLAGE_A1)
    url = reverse("areas:area-detail", args=[t.TOWN_A])
    client.force_login(village_worker)
    page = client.get(url).content.decode()
    assert f'?area={t.TOWN_A}">1</a>' in page
    client.force_login(other_village_worker)
    page = client.get(url).content.decode()
    assert f'?area={t.TOWN_A}">0</a>' in page


# Residential estates -------------------------------------------------------------------------


def _estate_data(code=t.VILLAGE_A1, **extra):
    data = {
        "name": "海安新苑",
        "area": code,
        "kind": "new",
        "households": 200,
        "elderly_room_m2": "70",
        "childcare_room_m2": "30",
        "delivered_on": "2023-09-01",
        "address": "",
        "latitude": "",
        "longitude": "",
    }
    data.update(extra)
    return data


def test_town_officer_creates_and_updates_an_estate(client, town_officer):
    client.force_login(town_officer)
    page = client.get(reverse("areas:estate-create")).content.decode()
    assert "新增居住小区" in page and "配建标准（每百户）" in page
    response = client.post(reverse("areas:estate-create"), _estate_data())
    assert response.status_code == 302
    created = ResidentialArea.objects.get(name="海安新苑")
    detail = client.get(response["Location"]).content.decode()
    # 35 m² elderly (norm 30) and 15 m² childcare (norm 20) per 100 households.
    assert "35.0" in detail and "15.0" in detail and "低于配建标准" in detail

    url = reverse("areas:estate-update", args=[created.uuid])
    assert "低于标准" in client.get(url).content.decode()
    response = client.post(url, _estate_data(childcare_room_m2="40"))
    assert response.status_code == 302
    assert "低于配建标准" not in client.get(response["Location"]).content.decode()


def test_estate_form_refuses_an_area_out_of_scope_and_duplicates(client, town_officer):
    estate(t.VILLAGE_A1, name="海安新苑")
    client.force_login(town_officer)
    response = client.post(reverse("areas:estate-create"), _estate_data("320685101001"))
    assert "请选择您管辖范围内的村（社区）" in response.content.decode()
    response = client.post(reverse("areas:estate-create"), _estate_data())
    assert "该村（社区）已有同名小区" in response.content.decode()


def test_estate_scope_other_village_gets_404(
    client, village_worker, other_village_worker, town_officer
):
    mine = estate(t.VILLAGE_A1)
    elsewhere = estate("320685101001", name="东城小区")
    client.force_login(village_worker)
    assert client.get(reverse("areas:estate-detail", args=[mine.uuid])).status_code == 200
    assert client.get(reverse("areas:estate-detail", args=[elsewhere.uuid])).status_code == 404
    # Village workers read estates but do not edit them.
    assert client.get(reverse("areas:estate-update", args=[mine.uuid])).status_code == 403
    assert client.get(reverse("areas:estate-create")).status_code == 403
    client.force_login(other_village_worker)
    assert client.get(reverse("areas:estate-detail", args=[mine.uuid])).status_code == 404
    client.force_login(town_officer)
    assert client.get(reverse("areas:estate-update", args=[elsewhere.uuid])).status_code == 404


def test_estate_list_filters_by_compliance_and_area(client, city_officer):
    estate(t.VILLAGE_A1, name="钟涵花园")  # childcare 15 per 100 < 20
    estate(t.VILLAGE_A2, name="拥徐家园", childcare_room_m2=80)
    estate("320685101001", name="东城旧苑", kind="existing", elderly_room_m2=20, households=100)
    client.force_login(city_officer)
    url = reverse("areas:estate-list")
    page = client.get(url, {"compliance": "below"}).content.decode()
    assert "钟涵花园" in page and "东城旧苑" not in page and "拥徐家园" not in page
    page = client.get(url, {"compliance": "meets"}).content.decode()
    assert "拥徐家园" in page and "东城旧苑" in page and "钟涵花园" not in page
    page = client.get(url, {"area": t.TOWN_B}).content.decode()
    assert "共 1 条" in page and "东城旧苑" in page


@pytest.mark.parametrize(("norms", "below"), [(None, True), ({"new": {"childcare": 10}}, False)])
def test_norms_come_from_settings(settings, norms, below, db):
    from carecircle.areas import services

    if norms is not None:
        settings.CARECIRCLE_ESTATE_NORMS = norms
    result = services.compliance(estate(t.VILLAGE_A1))
    assert result.below is below
    assert ResidentialArea.objects.filter(services.below_norm_q()).exists() is below


def test_list_pages_use_a_fixed_number_of_queries(
    client, city_officer, facts, django_assert_max_num_queries
):
    for n in range(5):
        estate(t.VILLAGE_A1, name=f"小区{n}")
    client.force_login(city_officer)
    for name, params in (
        ("areas:area-list", {"page_size": 200}),
        ("areas:estate-list", {}),
        ("areas:population-list", {}),
    ):
        with django_assert_max_num_queries(12):
            assert client.get(reverse(name), params).status_code == 200


def test_admin_is_read_mostly(client, system_admin, facts):
    client.force_login(system_admin)
    assert client.get("/sysadmin/areas/area/", {"q": "钟涵"}).status_code == 200
    area = t.area(t.VILLAGE_A1)
    assert client.get(f"/sysadmin/areas/area/{area.pk}/change/").status_code == 200
    assert client.get("/sysadmin/areas/area/add/").status_code == 403
    reparent_area(area, parent=t.area(t.TOWN_B), on=dt.date(2024, 6, 1), reason="村庄调整")
    page = client.get(f"/sysadmin/areas/area/{area.pk}/change/").content.decode()
    assert "村庄调整" in page  # the history inline
    assert client.get("/sysadmin/areas/areaversion/").status_code == 200
    # Facts and estates follow the role's permissions (the system administrator has none).
    assert client.get("/sysadmin/areas/populationfact/").status_code == 403
