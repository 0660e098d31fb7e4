"""Population facts: roll-ups up the tree, the edit page and the Excel import."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from carecircle.areas import services
from carecircle.areas.importers import PopulationFactImporter
from carecircle.areas.models import Area, PopulationFact
from carecircle.areas.tests.conftest import fact
from carecircle.core import testing as t
from carecircle.core.imports import run_import

HEADERS = [column.header for column in PopulationFactImporter.columns]


def test_rollup_sums_the_lowest_level_facts_of_the_subtree(facts):
    city, town_a = t.area(t.CITY), t.area(t.TOWN_A)
    fact(t.TOWN_A, 2023, 99_999)  # a figure entered for a town is not a lowest-level fact
    assert PopulationFact.objects.rollup(town_a, 2023)["total"] == 3000
    assert PopulationFact.objects.rollup(city, 2023)["total"] == 7000
    assert PopulationFact.objects.rollup(city, 2022)["total"] == 0


def test_yearly_and_child_rollups(facts, django_assert_num_queries):
    city = t.area(t.CITY)
    with django_assert_num_queries(1):
        years = services.yearly_rollup(city)
    assert [(r["year"], r["units"], r["total"]) for r in years] == [
        (2024, 2, 3200),
        (2023, 3, 7000),
    ]
    assert services.yearly_rollup(city, 2023)[0]["aged_60_plus"] == 300 + 600 + 1200

    children = list(city.children.all())
    with django_assert_num_queries(1):
        totals = services.child_rollup(city, children, 2023)
    by_code = {Area.objects.get(pk=pk).code: row["total"] for pk, row in totals.items()}
    assert by_code == {t.TOWN_A: 3000, t.TOWN_B: 4000}


def test_fact_problems_name_the_fields():
    problems = services.fact_problems(
        {"total": 10, "male": 4, "female": 5, "urban": 10, "aged_60_plus": 3, "aged_65_plus": 4}
    )
    assert set(problems) == {"male", "female", "aged_65_plus"}
    assert "男性（4）与女性（5）之和须等于常住人口（10）" in problems["male"]


# Edit page -----------------------------------------------------------------------------------


def _post_data(code, year, total, **extra):
    data = {
        "area": code,
        "year": year,
        "total": total,
        "male": total // 2,
        "female": total - total // 2,
        "urban": 0,
        "rural": total,
        "aged_60_plus": 0,
        "aged_65_plus": 0,
        "aged_80_plus": 0,
        "under_3": 0,
        "births": 0,
        "family_households": 0,
        "collective_households": 0,
        "source": "台账",
    }
    data.update(extra)
    return data


def test_town_officer_edits_a_fact_of_a_village_in_the_town(client, town_officer, facts):
    a1 = facts[0]
    client.force_login(town_officer)
    url = reverse("areas:population-edit", args=[a1.pk])
    assert "修改人口数据" in client.get(url).content.decode()
    response = client.post(url, _post_data(t.VILLAGE_A1, 2023, 1200))
    assert response.status_code == 302
    a1.refresh_from_db()
    assert (a1.total, a1.source) == (1200, "台账")


def test_edit_rejects_inconsistent_counts_in_chinese(client, town_officer, facts):
    client.force_login(town_officer)
    url = reverse("areas:population-edit", args=[facts[0].pk])
    response = client.post(url, _post_data(t.VILLAGE_A1, 2023, 1200, male=1))
    assert response.status_code == 200
    assert "之和须等于常住人口" in response.content.decode()


def test_edit_is_limited_to_lowest_units_in_scope(client, town_officer, village_worker, facts):
    town_b_fact = facts[2]
    client.force_login(town_officer)
    assert client.get(reverse("areas:population-edit", args=[town_b_fact.pk])).status_code == 404
    town_fact = fact(t.TOWN_A, 2023, 5000)
    assert client.get(reverse("areas:population-edit", args=[town_fact.pk])).status_code == 404
    # Another village of the officer's town cannot be chosen for a new fact out of scope either.
    response = client.post(
        reverse("areas:population-create"), _post_data("320685101001", 2025, 100)
    )
    assert "请选择您管辖范围内的村（社区）" in response.content.decode()
    client.force_login(village_worker)  # reads only
    assert client.get(reverse("areas:population-edit", args=[facts[0].pk])).status_code == 403


def test_duplicate_year_gives_the_model_message(client, town_officer, facts):
    client.force_login(town_officer)
    response = client.post(reverse("areas:population-create"), _post_data(t.VILLAGE_A1, 2023, 10))
    assert "该区划该年份的人口数据已存在" in response.content.decode()


def test_population_list_filters_by_area_subtree_and_year(client, city_officer, facts):
    client.force_login(city_officer)
    url = reverse("areas:population-list")
    page = client.get(url, {"area": t.TOWN_A, "year": 2023}).content.decode()
    assert "钟涵村委会" in page and "拥徐村委会" in page and "东城社区居委会" not in page
    export = client.get(url, {"area": t.TOWN_A, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet.max_row == 1 + 4


# Excel import --------------------------------------------------------------------------------


def workbook(*rows) -> bytes:
    return t.xlsx(HEADERS, rows)


def row(code, year=2024, total=1000, **override):
    values = {
        "male": total // 2,
        "female": total - total // 2,
        "urban": 0,
        "rural": total,
        "aged_60_plus": 300,
        "aged_65_plus": 200,
        "aged_80_plus": 50,
        "under_3": 20,
        "births": 7,
        "family_households": 400,
        "collective_households": 1,
    }
    values.update(override)
    return [
        code,
        year,
        total,
        *[values[name] for name in PopulationFact.COUNT_FIELDS[1:]],
        "2024年台账",
    ]


def test_import_creates_then_leaves_unchanged_then_updates(town_officer):
    data = workbook(row(t.VILLAGE_A1), row(t.VILLAGE_A2, total=2000))
    first = run_import(PopulationFactImporter(town_officer), data)
    assert first.ok, first.messages()
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    again = run_import(PopulationFactImporter(town_officer), data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = workbook(row(t.VILLAGE_A1, births=9), row(t.VILLAGE_A2, total=2000))
    third = run_import(PopulationFactImporter(town_officer), changed)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 1)
    assert PopulationFact.objects.get(area__code=t.VILLAGE_A1, year=2024).births == 9


def test_import_marks_the_bad_cells_and_writes_nothing(town_officer):
    data = workbook(
        row(t.VILLAGE_A1),
        row(t.VILLAGE_A2, male=1),  # male + female ≠ total
        row("320685101001"),  # a community of another town
        row("3206851", year=1800),
    )
    outcome = run_import(PopulationFactImporter(town_officer), data)
    assert not outcome.ok
    assert PopulationFact.objects.count() == 0
    messages = outcome.messages()
    assert any("第3行“男性”列" in m and "之和须等于常住人口" in m for m in messages)
    assert any("第3行“女性”列" in m for m in messages)
    assert any("第4行“区划代码”列：不在您的管辖范围内" in m for m in messages)
    assert any("第5行“区划代码”列：区划代码应为12位数字" in m for m in messages)
    assert any("第5行“年份”列" in m for m in messages)

    sheet = load_workbook(io.BytesIO(outcome.error_report)).active
    male = sheet.cell(row=3, column=HEADERS.index("男性") + 1)
    assert male.fill.fgColor.rgb.endswith("FFC7CE")
    assert "之和须等于常住人口" in male.comment.text
    assert sheet.cell(row=2, column=HEADERS.index("男性") + 1).comment is None


def test_import_empty_optional_cells_keep_stored_figures(town_officer, facts):
    stored = facts[3]  # A1, 2024
    values = row(t.VILLAGE_A1, total=stored.total, aged_60_plus=stored.aged_60_plus)
    values[HEADERS.index("出生人口")] = None
    values[HEADERS.index("65岁及以上")] = stored.aged_65_plus
    values[HEADERS.index("80岁及以上")] = stored.aged_80_plus
    outcome = run_import(PopulationFactImporter(town_officer), workbook(values))
    assert outcome.ok, outcome.messages()
    stored.refresh_from_db()
    assert stored.births == 1100 // 150


@pytest.mark.parametrize(
    ("user_fixture", "status"), [("town_officer", 200), ("village_worker", 403)]
)
def test_import_page_needs_the_permission(client, request, user_fixture, status):
    client.force_login(request.getfixturevalue(user_fixture))
    response = client.get(reverse("core:import", args=["population"]))
    assert response.status_code == status
    if status == 200:
        template = client.get(reverse("core:import", args=["population"]), {"template": "xlsx"})
        header = [c.value for c in load_workbook(io.BytesIO(template.content)).active[1]]
        assert header[:3] == ["区划代码", "年份", "常住人口"]


def test_import_through_the_page(client, town_officer):
    client.force_login(town_officer)
    upload = io.BytesIO(workbook(row(t.VILLAGE_A1)))
    upload.name = "population.xlsx"
    response = client.post(reverse("core:import", args=["population"]), {"file": upload})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "新增 1" in page
    assert PopulationFact.objects.filter(area__code=t.VILLAGE_A1, year=2024).exists()
