import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from carecircle.core import testing as t
from carecircle.core.idnumbers import mask_id_number
from carecircle.institutions import services
from carecircle.institutions.choices import CreditStatus, ListKind
from carecircle.institutions.forms import (
    CapacityRecordForm,
    CreditListingForm,
    GradeForm,
    ProviderForm,
    ResidencyForm,
    StaffForm,
)
from carecircle.institutions.models import CreditListing, Provider, Residency, Staff
from carecircle.institutions.tests.conftest import make_listing, make_staff

pytestmark = pytest.mark.django_db


def provider_data(**overrides):
    data = {
        "name": "海安镇幸福院",
        "kind": "private_institution",
        "ownership": "private",
        "credit_code": "",
        "area": t.VILLAGE_A1,
        "status": "active",
        "opened_on": "2019-05-01",
        "filing_status": "not_filed",
    }
    data.update(overrides)
    return data


def staff_data(provider, **overrides):
    data = {
        "provider": provider.pk,
        "name": "王秀英",
        "id_number": t.resident_id(birth=dt.date(1980, 2, 3)),
        "role": "caregiver",
        "skill_level": "4",
        "hired_on": "2022-03-01",
    }
    data.update(overrides)
    return data


# Capacity -------------------------------------------------------------------------------------


def test_capacity_nursing_beds_cannot_exceed_total(provider_a, town_officer):
    form = CapacityRecordForm(
        data={
            "valid_from": "2024-01-01",
            "beds_total": 50,
            "beds_nursing": 60,
            "beds_dementia": 0,
            "places_total": 0,
            "places_affordable": 0,
        },
        user=town_officer,
        provider=provider_a,
    )
    assert not form.is_valid()
    assert "护理型、认知症床位不能超过床位总数" in str(form.errors)


def test_capacity_affordable_places_cannot_exceed_places(provider_b, city_officer):
    form = CapacityRecordForm(
        data={
            "valid_from": "2024-01-01",
            "beds_total": 0,
            "beds_nursing": 0,
            "beds_dementia": 0,
            "places_total": 10,
            "places_affordable": 11,
        },
        user=city_officer,
        provider=provider_b,
    )
    assert not form.is_valid()
    assert "普惠托位不能超过托位总数" in str(form.errors)


def test_capacity_one_record_per_provider_and_date(provider_a, town_officer):
    form = CapacityRecordForm(
        data={
            "valid_from": "2023-01-01",
            "beds_total": 120,
            "beds_nursing": 0,
            "beds_dementia": 0,
            "places_total": 0,
            "places_affordable": 0,
        },
        user=town_officer,
        provider=provider_a,
    )
    assert not form.is_valid()
    assert "同一机构同一日期只能有一条容量记录" in str(form.errors)


def test_capacity_in_force_and_occupancy(provider_a):
    assert provider_a.capacity_on(dt.date(2022, 6, 1)).beds_total == 80
    assert provider_a.capacity_on(timezone.localdate()).beds_total == 100
    person = t.make_person(t.VILLAGE_A1)
    Residency.objects.create(provider=provider_a, person=person, admitted_on=dt.date(2024, 1, 1))
    occupancy = services.occupancy(provider_a)
    assert (occupancy.capacity, occupancy.occupied, occupancy.vacancy) == (100, 1, 99)
    assert occupancy.rate == 1.0
    summary = services.capacity_summary(Provider.objects.all())
    assert summary["beds_total"] == 100 and summary["beds_nursing"] == 60


def test_grade_must_be_between_1_and_5(provider_a, town_officer):
    form = GradeForm(
        data={"grade": 6, "valid_from": "2024-01-01"}, user=town_officer, provider=provider_a
    )
    assert not form.is_valid()
    assert form.errors["grade"] == ["等级须为1至5级"]


# Providers ------------------------------------------------------------------------------------


def test_provider_form_normalises_credit_code_and_sets_domain(town_officer):
    code = t.credit_code(7)
    spaced = f" {code[:9]} {code[9:].lower()} "
    form = ProviderForm(
        data=provider_data(credit_code=spaced, kind="childcare_standalone"), user=town_officer
    )
    assert form.is_valid(), form.errors
    provider = form.save()
    assert provider.credit_code == code
    assert provider.domain == "childcare"


def test_provider_form_rejects_bad_check_digit(town_officer):
    code = t.credit_code(8)
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    form = ProviderForm(data=provider_data(credit_code=bad), user=town_officer)
    assert not form.is_valid()
    assert "统一社会信用代码无效" in form.errors["credit_code"][0]


def test_provider_form_offers_only_areas_in_scope(town_officer):
    form = ProviderForm(data=provider_data(area=t.VILLAGE_A1), user=town_officer)
    codes = set(form.fields["area"].queryset.values_list("code", flat=True))
    assert t.VILLAGE_A1 in codes and t.TOWN_B not in codes
    form = ProviderForm(data=provider_data(area=t.TOWN_B), user=town_officer)
    assert not form.is_valid()
    assert form.errors["area"] == ["请选择有效的选项"]


def test_provider_form_offers_only_kinds_of_the_users_domain(civil_affairs_officer):
    form = ProviderForm(data=provider_data(kind="family_point"), user=civil_affairs_officer)
    assert not form.is_valid()
    assert "kind" in form.errors


def test_provider_form_duplicate_name_in_area(provider_a, town_officer):
    form = ProviderForm(data=provider_data(name=provider_a.name), user=town_officer)
    assert not form.is_valid()
    assert "该区划已有同名机构" in str(form.errors)


def test_blacklisted_organisation_cannot_be_registered(town_officer):
    code = t.credit_code(55)
    listing = make_listing(credit_code=code, kind=ListKind.BLACK, subject_name="某失信公司")
    form = ProviderForm(data=provider_data(credit_code=code), user=town_officer)
    assert not form.is_valid()
    message = form.errors["credit_code"][0]
    assert "该机构已被列入信用惩戒名单，不能登记" in message
    assert listing.describe() in message
    with pytest.raises(ValidationError) as excinfo:
        services.register_provider(
            {
                "name": "某机构",
                "kind": "private_institution",
                "ownership": "private",
                "credit_code": code,
                "area": t.area(t.VILLAGE_A1),
            },
            town_officer,
        )
    assert "不能登记" in str(excinfo.value.message_dict["credit_code"])


def test_removed_listing_no_longer_blocks(town_officer):
    code = t.credit_code(56)
    make_listing(credit_code=code, kind=ListKind.BLACK, removed_on=dt.date(2024, 12, 31))
    form = ProviderForm(data=provider_data(credit_code=code), user=town_officer)
    assert form.is_valid(), form.errors


def test_register_provider_checks_scope(town_b_officer):
    with pytest.raises(ValidationError) as excinfo:
        services.register_provider(
            {
                "name": "越界机构",
                "kind": "private_institution",
                "ownership": "private",
                "area": t.area(t.VILLAGE_A1),
            },
            town_b_officer,
        )
    assert "所在区划不在您的管辖范围内" in excinfo.value.message_dict["area"]


def test_institution_user_cannot_change_registration_fields(provider_a, institution_user):
    form = ProviderForm(
        data=provider_data(name="改名", phone="0513-88888888", area=t.VILLAGE_A1),
        instance=provider_a,
        user=institution_user,
    )
    assert form.is_valid(), form.errors
    provider = form.save()
    assert provider.name == "钟涵颐养院"  # disabled field keeps its value
    assert provider.phone == "0513-88888888"


# Staff ----------------------------------------------------------------------------------------


def test_staff_form_validates_and_masks_the_id_number(provider_a, town_officer):
    number = t.resident_id(birth=dt.date(1980, 2, 3))
    form = StaffForm(data=staff_data(provider_a, id_number=number), user=town_officer)
    assert form.is_valid(), form.errors
    staff = form.save()
    assert staff.id_number_masked == mask_id_number(number)
    assert staff.birth_date == dt.date(1980, 2, 3)
    assert staff.id_number == number
    assert number not in str(form.cleaned_data)


def test_staff_form_rejects_bad_id_number(provider_a, town_officer):
    number = t.resident_id()
    bad = number[:-1] + ("0" if number[-1] != "0" else "1")
    form = StaffForm(data=staff_data(provider_a, id_number=bad), user=town_officer)
    assert not form.is_valid()
    assert form.errors["id_number"] == ["身份证号校验位错误"]


def test_staff_form_rejects_same_person_twice_at_one_provider(provider_a, town_officer):
    number = t.resident_id()
    make_staff(provider_a, id_number=number)
    form = StaffForm(data=staff_data(provider_a, id_number=number), user=town_officer)
    assert not form.is_valid()
    assert "该人员已在本机构在职" in str(form.errors)


@pytest.mark.parametrize("kind", [ListKind.LIFETIME_BAN, ListKind.BLACK])
def test_banned_person_cannot_be_registered_as_staff(provider_a, town_officer, kind):
    number = t.resident_id()
    listing = make_listing(id_number=number, kind=kind, subject_name="张某")
    form = StaffForm(data=staff_data(provider_a, id_number=number), user=town_officer)
    assert not form.is_valid()
    message = form.errors["id_number"][0]
    assert message.startswith("该人员已被列入信用惩戒名单，不能登记")
    assert listing.describe() in message
    assert str(listing.get_list_kind_display()) in message
    with pytest.raises(ValidationError) as excinfo:
        services.register_staff(
            {
                "provider": provider_a,
                "name": "张某",
                "role": "caregiver",
                "hired_on": dt.date(2024, 1, 1),
            },
            town_officer,
            id_number=number,
        )
    assert "不能登记" in excinfo.value.message_dict["id_number"][0]
    assert not Staff.objects.exists()


def test_watch_list_does_not_block_but_sets_credit_status(provider_a, town_officer):
    number = t.resident_id()
    make_listing(id_number=number, kind=ListKind.WATCH)
    staff = services.register_staff(
        {"provider": provider_a, "name": "赵某", "role": "nurse", "hired_on": dt.date(2024, 1, 1)},
        town_officer,
        id_number=number,
    )
    assert staff.credit_status == CreditStatus.WATCH


def test_staff_form_offers_only_providers_in_scope(provider_a, provider_b, town_officer):
    form = StaffForm(data=staff_data(provider_b), user=town_officer)
    assert list(form.fields["provider"].queryset) == [provider_a]
    assert not form.is_valid()
    assert "provider" in form.errors


# Credit listings and residencies --------------------------------------------------------------


def test_credit_listing_form_stores_only_index_and_mask(provider_a, civil_affairs_officer):
    number = t.resident_id()
    staff = make_staff(provider_a, id_number=number)
    form = CreditListingForm(
        data={
            "subject_kind": "person",
            "subject_name": "李护理",
            "id_number": number,
            "list_kind": "lifetime_ban",
            "listed_on": "2025-01-02",
            "authority": "海安市民政局",
        },
        user=civil_affairs_officer,
    )
    assert form.is_valid(), form.errors
    listing = form.save()
    assert listing.id_number_masked == mask_id_number(number)
    assert listing.credit_code == ""
    assert number not in str(CreditListing.objects.values().get())
    staff.refresh_from_db()
    assert staff.credit_status == CreditStatus.LIFETIME_BAN


def test_credit_listing_form_needs_the_subject_key(civil_affairs_officer):
    form = CreditListingForm(
        data={
            "subject_kind": "organisation",
            "subject_name": "某公司",
            "credit_code": "123",
            "list_kind": "black",
            "listed_on": "2025-01-02",
            "authority": "海安市市场监管局",
        },
        user=civil_affairs_officer,
    )
    assert not form.is_valid()
    assert "统一社会信用代码无效" in form.errors["credit_code"][0]
    form = CreditListingForm(
        data={
            "subject_kind": "person",
            "subject_name": "某人",
            "list_kind": "black",
            "listed_on": "2025-01-02",
            "authority": "海安市民政局",
        },
        user=civil_affairs_officer,
    )
    assert not form.is_valid()
    assert form.errors["id_number"] == ["对象为个人时须填写身份证号"]


def test_residency_form_finds_person_by_id_and_allows_one_open_stay(provider_a, town_officer):
    person = t.make_person(t.VILLAGE_A1)
    form = ResidencyForm(
        data={"id_number": person.id_number, "admitted_on": "2024-02-01", "bed_kind": "nursing"},
        user=town_officer,
        provider=provider_a,
    )
    assert form.is_valid(), form.errors
    form.save()
    other = t.make_provider(t.VILLAGE_A2)
    again = ResidencyForm(
        data={"id_number": person.id_number, "admitted_on": "2024-03-01", "bed_kind": "general"},
        user=town_officer,
        provider=other,
    )
    assert not again.is_valid()
    assert "该人员已在其他机构入住，请先办理离院" in str(again.errors)
    unknown = ResidencyForm(
        data={"id_number": t.resident_id(), "admitted_on": "2024-03-01", "bed_kind": "general"},
        user=town_officer,
        provider=other,
    )
    assert not unknown.is_valid()
    assert "未找到该身份证号的在册人员" in unknown.errors["id_number"][0]


def test_removing_a_listing_restores_the_credit_status(provider_a, civil_affairs_officer):
    number = t.resident_id()
    staff = make_staff(provider_a, id_number=number)
    listing = make_listing(id_number=number, kind=ListKind.BLACK)
    services.sync_staff_credit(listing.id_number_index)
    staff.refresh_from_db()
    assert staff.credit_status == CreditStatus.BLACKLISTED
    form = CreditListingForm(
        data={
            "subject_kind": "person",
            "subject_name": listing.subject_name,
            "list_kind": "black",
            "listed_on": "2024-05-06",
            "removed_on": "2024-06-01",
            "authority": listing.authority,
        },
        instance=listing,
        user=civil_affairs_officer,
    )
    assert form.is_valid(), form.errors
    form.save()
    staff.refresh_from_db()
    assert staff.credit_status == CreditStatus.GOOD
