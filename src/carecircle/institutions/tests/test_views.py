import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from carecircle.audit.models import AuditEvent
from carecircle.core import testing as t
from carecircle.institutions.choices import ListKind
from carecircle.institutions.models import (
    CapacityRecord,
    CreditListing,
    Designation,
    Grade,
    Provider,
    Residency,
    Staff,
)
from carecircle.institutions.tests.conftest import make_listing, make_staff

pytestmark = pytest.mark.django_db

PROVIDERS = reverse("institutions:provider-list")
STAFF = reverse("institutions:staff-list")
CREDIT = reverse("institutions:credit-list")


HX = {"HX-Request": "true"}  # only the table fragment: the filter tests need no full page


def names(response) -> list[str]:
    return [obj.name for obj, _cells, _url in response.context["table_rows"]]


@pytest.fixture
def providers(provider_a, provider_b):
    rural = t.make_provider(t.VILLAGE_A2, kind="rural_home", name="拥徐敬老院", ownership="public")
    Designation.objects.create(
        provider=provider_a,
        kind="elderly_model",
        issuing_level="county",
        granted_on=dt.date(2022, 1, 1),
    )
    Designation.objects.create(
        provider=rural,
        kind="elderly_model",
        issuing_level="county",
        granted_on=dt.date(2020, 1, 1),
        revoked_on=dt.date(2021, 1, 1),
    )
    Grade.objects.create(provider=provider_a, grade=3, valid_from=dt.date(2023, 1, 1))
    Grade.objects.create(
        provider=rural, grade=3, valid_from=dt.date(2019, 1, 1), valid_to=dt.date(2022, 1, 1)
    )
    Grade.objects.create(provider=rural, grade=2, valid_from=dt.date(2022, 1, 1))
    return provider_a, provider_b, rural


# Lists and filters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"钟涵颐养院", "拥徐敬老院", "城东宝贝托育中心"}),
        ({"area": t.TOWN_A}, {"钟涵颐养院", "拥徐敬老院"}),
        ({"area": t.VILLAGE_A2}, {"拥徐敬老院"}),
        ({"area": t.TOWN_B}, {"城东宝贝托育中心"}),
        ({"kind": "rural_home"}, {"拥徐敬老院"}),
        ({"domain": "childcare"}, {"城东宝贝托育中心"}),
        ({"ownership": "public"}, {"拥徐敬老院"}),
        ({"designation": "elderly_model"}, {"钟涵颐养院"}),
        ({"grade": "3"}, {"钟涵颐养院"}),
        ({"grade": "2"}, {"拥徐敬老院"}),
        ({"q": "颐养"}, {"钟涵颐养院"}),
    ],
)
def test_provider_list_filters(client, city_officer, providers, query, expected):
    client.force_login(city_officer)
    response = client.get(PROVIDERS, query, headers=HX)
    assert response.status_code == 200
    assert set(names(response)) == expected


def test_provider_list_shows_capacity_in_force(client, city_officer, provider_a):
    client.force_login(city_officer)
    response = client.get(PROVIDERS)
    [(obj, cells, _url)] = response.context["table_rows"]
    assert obj.cap_beds_total == 100
    assert 100 in cells
    assert "钟涵颐养院" in response.content.decode()


def test_provider_list_htmx_returns_only_the_table(client, city_officer, provider_a):
    client.force_login(city_officer)
    response = client.get(PROVIDERS, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<table" in body and "<html" not in body


def test_staff_list_filters(client, town_officer, provider_a):
    make_staff(provider_a, name="在职甲", skill_level="4")
    make_staff(provider_a, name="离职乙", role="nurse", left_on=dt.date(2023, 1, 1))
    client.force_login(town_officer)
    assert set(names(client.get(STAFF))) == {"在职甲", "离职乙"}

    def staff(query):
        return names(t.filtered_list(client, STAFF, query, headers=HX))

    assert staff({"employment": "active"}) == ["在职甲"]
    assert staff({"employment": "left"}) == ["离职乙"]
    assert staff({"role": "nurse"}) == ["离职乙"]
    assert staff({"skill_level": "none"}) == ["离职乙"]
    assert staff({"provider": str(provider_a.uuid), "q": "甲"}) == ["在职甲"]


def test_credit_list_filters(client, city_officer):
    make_listing(credit_code=t.credit_code(61), kind=ListKind.BLACK, subject_name="甲公司")
    make_listing(
        credit_code=t.credit_code(62),
        kind=ListKind.RED,
        subject_name="乙公司",
        removed_on=dt.date(2024, 12, 1),
    )
    make_listing(id_number=t.resident_id(), kind=ListKind.LIFETIME_BAN, subject_name="丙某")
    client.force_login(city_officer)

    def subjects(query):
        response = t.filtered_list(client, CREDIT, query, headers=HX)
        return {obj.subject_name for obj, _cells, _url in response.context["table_rows"]}

    assert subjects({}) == {"甲公司", "乙公司", "丙某"}
    assert subjects({"in_force": "true"}) == {"甲公司", "丙某"}
    assert subjects({"in_force": "false"}) == {"乙公司"}
    assert subjects({"list_kind": "lifetime_ban"}) == {"丙某"}
    assert subjects({"subject_kind": "organisation", "q": "甲"}) == {"甲公司"}


# Export ---------------------------------------------------------------------------------------


def test_provider_export_is_filtered_and_audited(client, city_officer, providers):
    client.force_login(city_officer)
    response = client.get(PROVIDERS, {"area": t.TOWN_A, "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="providers-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[0] == "机构名称" and "统一社会信用代码" in header and "床位总数" in header
    body = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(body) == {"钟涵颐养院", "拥徐敬老院"}
    assert body["钟涵颐养院"]["床位总数"] == 100
    assert body["钟涵颐养院"]["区划代码"] == t.VILLAGE_A1
    event = AuditEvent.objects.get(action="export")
    assert event.user == city_officer
    assert event.detail["rows"] == "2"


def test_staff_export_shows_masked_id_only(client, town_officer, provider_a):
    staff = make_staff(provider_a)
    client.force_login(town_officer)
    response = client.get(STAFF, {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert staff.id_number_masked in values
    assert staff.id_number not in values
    assert AuditEvent.objects.filter(action="export", user=town_officer).count() == 1


# Detail and forms -----------------------------------------------------------------------------


def test_provider_detail_page(client, town_officer, providers):
    provider_a = providers[0]
    staff = make_staff(provider_a, name="护理员甲")
    person = t.make_person(t.VILLAGE_A1, name="王老汉")
    Residency.objects.create(provider=provider_a, person=person, admitted_on=dt.date(2024, 1, 1))
    client.force_login(town_officer)
    response = client.get(reverse("institutions:provider-detail", args=[provider_a.uuid]))
    assert response.status_code == 200
    ctx = response.context
    assert ctx["capacity"].beds_total == 100
    assert [c.beds_total for c in ctx["capacity_history"]] == [100, 80]
    assert (ctx["occupancy"].occupied, ctx["occupancy"].vacancy) == (1, 99)
    assert len(ctx["designations"]) == 1 and len(ctx["grades"]) == 1
    assert ctx["history"][0]["type"]
    body = response.content.decode()
    assert "护理员甲" in body and "王*汉" in body and "王老汉" not in body
    assert staff.id_number not in body
    for name in (
        "capacity-create",
        "designation-create",
        "grade-create",
        "pair-create",
        "residency-create",
    ):
        assert reverse(f"institutions:{name}", args=[provider_a.uuid]) in body
    assert ' style="' not in body and "<script>" not in body


def test_create_provider_through_the_page(client, town_officer):
    client.force_login(town_officer)
    url = reverse("institutions:provider-create")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "新建托育点",
            "kind": "community_point",
            "ownership": "public",
            "area": t.VILLAGE_A2,
            "status": "active",
            "opened_on": "2024-09-01",
            "filing_status": "filed",
            "service_modes": ["full_day", "hourly"],
        },
    )
    provider = Provider.objects.get(name="新建托育点")
    assert response.status_code == 302
    assert response["Location"] == reverse("institutions:provider-detail", args=[provider.uuid])
    assert provider.domain == "childcare"
    assert provider.service_modes == ["full_day", "hourly"]
    assert provider.history.first().history_user == town_officer
    page = client.get(response["Location"]).content.decode()
    assert "全日托" in page


def test_update_provider_and_history_lists_changed_fields(client, town_officer, provider_a):
    client.force_login(town_officer)
    url = reverse("institutions:provider-update", args=[provider_a.uuid])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "service_areas"}
    data.update(phone="0513-12345678", area=t.VILLAGE_A1, credit_code=provider_a.credit_code)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    detail = client.get(reverse("institutions:provider-detail", args=[provider_a.uuid]))
    assert "联系电话" in detail.context["history"][0]["fields"]


def test_add_capacity_from_detail_page(client, town_officer, provider_a):
    client.force_login(town_officer)
    url = reverse("institutions:capacity-create", args=[provider_a.uuid])
    page = client.get(url)
    assert page.context["form"].initial["beds_total"] == 100
    response = client.post(
        url,
        {
            "valid_from": "2025-01-01",
            "beds_total": 120,
            "beds_nursing": 70,
            "beds_dementia": 10,
            "places_total": 0,
            "places_affordable": 0,
        },
    )
    assert response.status_code == 302
    assert provider_a.capacity_on(timezone.localdate()).beds_total == 120
    bad = client.post(
        url,
        {
            "valid_from": "2025-02-01",
            "beds_total": 10,
            "beds_nursing": 70,
            "beds_dementia": 0,
            "places_total": 0,
            "places_affordable": 0,
        },
    )
    assert bad.status_code == 200
    assert "护理型、认知症床位不能超过床位总数" in bad.content.decode()


def test_add_designation_grade_pair_and_residency(client, town_officer, provider_a):
    childcare = t.make_provider(t.VILLAGE_A1, kind="community_point", name="钟涵托育点")
    person = t.make_person(t.VILLAGE_A1)
    client.force_login(town_officer)
    uuid = provider_a.uuid
    posts = [
        (
            "designation-create",
            {"kind": "elderly_model", "issuing_level": "county", "granted_on": "2024-01-01"},
        ),
        ("grade-create", {"grade": 4, "valid_from": "2024-01-01"}),
        (
            "pair-create",
            {
                "elderly_provider": provider_a.pk,
                "childcare_provider": childcare.pk,
                "started_on": "2024-06-01",
            },
        ),
        (
            "residency-create",
            {"id_number": person.id_number, "admitted_on": "2024-02-01", "bed_kind": "general"},
        ),
    ]
    for name, data in posts:
        response = client.post(reverse(f"institutions:{name}", args=[uuid]), data)
        assert response.status_code == 302, (name, response.context["form"].errors)
    assert provider_a.designations.count() == provider_a.grades.count() == 1
    stay = Residency.objects.get()
    assert stay.person == person
    assert AuditEvent.objects.filter(action="search_person").count() == 1
    response = client.post(
        reverse("institutions:residency-update", args=[stay.uuid]),
        {"admitted_on": "2024-02-01", "discharged_on": "2024-05-01", "bed_kind": "general"},
    )
    assert response.status_code == 302
    assert provider_a.occupied_beds(timezone.localdate()) == 0


def test_staff_pages_show_masked_id(client, town_officer, provider_a):
    client.force_login(town_officer)
    number = t.resident_id(birth=dt.date(1988, 8, 8))
    response = client.post(
        reverse("institutions:staff-create"),
        {
            "provider": provider_a.pk,
            "name": "周保育",
            "id_number": number,
            "role": "nurse",
            "hired_on": "2024-01-01",
            "skill_level": "",
        },
    )
    staff = Staff.objects.get()
    assert response.status_code == 302
    detail = client.get(reverse("institutions:staff-detail", args=[staff.uuid])).content.decode()
    assert staff.id_number_masked in detail and number not in detail
    for name in ("certificate-create", "training-create"):
        url = reverse(f"institutions:{name}", args=[staff.uuid])
        assert url in detail
    client.post(
        reverse("institutions:certificate-create", args=[staff.uuid]),
        {"kind": "护士执业证书", "issued_on": "2020-01-01", "level": ""},
    )
    client.post(
        reverse("institutions:training-create", args=[staff.uuid]),
        {"course": "消防安全培训", "attended_on": "2024-03-01", "hours": "4"},
    )
    assert staff.certificates.count() == staff.trainings.count() == 1
    edit = client.get(reverse("institutions:staff-update", args=[staff.uuid])).content.decode()
    assert number not in edit


def test_staff_create_shows_the_ban(client, town_officer, provider_a):
    number = t.resident_id()
    make_listing(id_number=number, kind=ListKind.LIFETIME_BAN)
    client.force_login(town_officer)
    response = client.post(
        reverse("institutions:staff-create"),
        {
            "provider": provider_a.pk,
            "name": "禁入者",
            "id_number": number,
            "role": "caregiver",
            "hired_on": "2024-01-01",
        },
    )
    assert response.status_code == 200
    assert "该人员已被列入信用惩戒名单，不能登记（终身禁入：海安市民政局 2024-05-06列入" in (
        response.content.decode()
    )
    assert not Staff.objects.exists()


def test_credit_create_and_detail(client, civil_affairs_officer):
    client.force_login(civil_affairs_officer)
    response = client.post(
        reverse("institutions:credit-create"),
        {
            "subject_kind": "organisation",
            "subject_name": "某养老公司",
            "credit_code": t.credit_code(77),
            "list_kind": "black",
            "listed_on": "2025-01-01",
            "authority": "海安市民政局",
        },
    )
    listing = CreditListing.objects.get()
    assert response["Location"] == reverse("institutions:credit-detail", args=[listing.uuid])
    assert "某养老公司" in client.get(response["Location"]).content.decode()


# Scope and permissions ------------------------------------------------------------------------


def test_institution_user_sees_only_their_provider(client, institution_user, provider_a, providers):
    other = providers[2]
    mine = make_staff(provider_a, name="本院员工")
    theirs = make_staff(other, name="他院员工")
    client.force_login(institution_user)
    assert names(client.get(PROVIDERS)) == ["钟涵颐养院"]
    assert names(client.get(STAFF)) == ["本院员工"]
    detail = reverse("institutions:provider-detail", args=[provider_a.uuid])
    assert client.get(detail).status_code == 200
    for url in (
        reverse("institutions:provider-detail", args=[other.uuid]),
        reverse("institutions:provider-update", args=[other.uuid]),
        reverse("institutions:capacity-create", args=[other.uuid]),
        reverse("institutions:staff-detail", args=[theirs.uuid]),
        reverse("institutions:staff-update", args=[theirs.uuid]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("institutions:staff-detail", args=[mine.uuid])).status_code == 200
    # May edit its own provider but not create one or add designations.
    edit = reverse("institutions:provider-update", args=[provider_a.uuid])
    assert client.get(edit).status_code == 200
    assert client.get(reverse("institutions:provider-create")).status_code == 403
    url = reverse("institutions:designation-create", args=[provider_a.uuid])
    assert client.get(url).status_code == 403


def test_town_officer_of_another_town_gets_404(client, town_b_officer, provider_a, provider_b):
    client.force_login(town_b_officer)
    assert names(client.get(PROVIDERS)) == ["城东宝贝托育中心"]
    assert (
        client.get(reverse("institutions:provider-detail", args=[provider_a.uuid])).status_code
        == 404
    )
    assert (
        client.get(reverse("institutions:provider-detail", args=[provider_b.uuid])).status_code
        == 200
    )
    assert client.get(PROVIDERS, {"export": "xlsx", "q": "钟涵"}).status_code == 200
    assert CapacityRecord.objects.for_user(town_b_officer).filter(provider=provider_a).count() == 0


def test_domain_limited_officer_sees_only_their_domain(
    client, health_officer, provider_a, provider_b
):
    client.force_login(health_officer)
    assert names(client.get(PROVIDERS)) == ["城东宝贝托育中心"]
    assert (
        client.get(reverse("institutions:provider-detail", args=[provider_a.uuid])).status_code
        == 404
    )


def test_outsider_gets_403_and_anonymous_is_sent_to_login(client, outsider, provider_a):
    urls = [
        PROVIDERS,
        STAFF,
        CREDIT,
        reverse("institutions:provider-create"),
        reverse("institutions:provider-detail", args=[provider_a.uuid]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "?next=" in response["Location"], url
    client.force_login(outsider)
    for url in urls:
        assert client.get(url).status_code == 403, url


def test_village_worker_may_read_but_not_create_providers(client, village_worker, provider_a):
    client.force_login(village_worker)
    assert client.get(PROVIDERS).status_code == 200
    assert client.get(reverse("institutions:provider-create")).status_code == 403
    assert client.post(reverse("institutions:credit-create"), {}).status_code == 403


def test_buttons_follow_permissions(client, village_worker, institution_user, provider_a):
    client.force_login(village_worker)
    page = client.get(PROVIDERS)
    assert page.context["import_url"] is None and not page.context["can_create"]
    assert client.get(STAFF).context["import_url"] is None
    client.force_login(institution_user)
    assert client.get(STAFF).context["import_url"] == reverse("core:import", args=["staff"])
    form = client.get(reverse("institutions:staff-create")).context["form"]
    assert form.fields["provider"].initial == provider_a.pk
    edit = client.get(reverse("institutions:provider-update", args=[provider_a.uuid]))
    assert edit.context["form"].fields["area"].disabled


def test_childcare_provider_page_shows_places_without_resident_occupancy(
    client, city_officer, provider_b
):
    """Occupancy comes from residencies, which only institutions have; no made-up 0%."""
    client.force_login(city_officer)
    page = client.get(reverse("institutions:provider-detail", args=[provider_b.uuid]))
    text = page.content.decode()
    assert "现有托位" in text
    assert "入住率" not in text and "在住人员" not in text


def test_institution_page_shows_occupancy(client, city_officer, provider_a):
    client.force_login(city_officer)
    text = client.get(
        reverse("institutions:provider-detail", args=[provider_a.uuid])
    ).content.decode()
    assert "入住率" in text and "在住人员" in text
