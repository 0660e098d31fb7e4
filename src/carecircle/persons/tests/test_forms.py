import datetime as dt

import pytest
from django.utils import timezone

from carecircle.core import testing as t
from carecircle.core.dates import years_before
from carecircle.core.idnumbers import make_resident_id
from carecircle.persons.filters import months_before
from carecircle.persons.forms import ContactForm, HardshipFlagForm, IdSearchForm, PersonForm
from carecircle.persons.models import Person
from carecircle.persons.tests.helpers import elder_birth, new_id

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def elder_form(user, id_number, **extra):
    data = {"name": "孙桂芳", "id_number": id_number, "area": t.area(t.VILLAGE_A1).pk, **extra}
    return PersonForm(data, user=user, domain="elderly")


def child_form(user, id_number):
    data = {"name": "孙小米", "id_number": id_number, "area": t.area(t.VILLAGE_A1).pk}
    return PersonForm(data, user=user, domain="childcare")


def errors(form) -> str:
    return " ".join(str(e) for e in form.errors.get("id_number", []))


def test_valid_number_derives_birth_date_and_sex(village_worker):
    birth = elder_birth(72)
    form = elder_form(village_worker, new_id(birth, male=False))
    assert form.is_valid(), form.errors
    person = form.save()
    assert person.birth_date == birth
    assert person.sex == "F"
    assert person.domain == "elderly"
    assert person.residences.count() == 1


def test_bad_check_digit(village_worker):
    number = new_id(elder_birth())
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    form = elder_form(village_worker, wrong)
    assert not form.is_valid()
    assert "校验位" in errors(form)


def test_impossible_date(village_worker):
    base = "32068519230229012"  # 29 February 1923 does not exist
    form = elder_form(village_worker, base + "0")
    assert not form.is_valid()
    assert "出生日期不存在" in errors(form)


def test_full_width_digits_are_accepted(village_worker):
    number = new_id(elder_birth())
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)
    form = elder_form(village_worker, full_width)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["id_number"] == number


def test_lower_case_x_is_accepted(village_worker):
    birth = elder_birth(66)
    number = next(
        n for n in (make_resident_id("320685", birth, s) for s in range(1, 999)) if n[-1] == "X"
    )
    form = elder_form(village_worker, number.lower())
    assert form.is_valid(), form.errors
    assert form.save().id_number == number


def test_fifteen_digit_legacy_number_is_converted(village_worker):
    form = elder_form(village_worker, "320685500517123")  # born 1950-05-17, male
    assert form.is_valid(), form.errors
    person = form.save()
    assert person.birth_date == dt.date(1950, 5, 17)
    assert person.sex == "M"
    assert len(person.id_number) == 18 and person.id_number.startswith("32068519500517123")


def test_wrong_length_is_rejected(village_worker):
    form = elder_form(village_worker, "3206851950")
    assert not form.is_valid()
    assert "18位" in errors(form)


def test_elder_under_sixty_is_rejected(village_worker):
    birth = years_before(TODAY, 60) + dt.timedelta(days=1)  # turns 60 tomorrow
    form = elder_form(village_worker, new_id(birth))
    assert not form.is_valid()
    assert "年满60周岁" in errors(form)
    assert elder_form(village_worker, new_id(years_before(TODAY, 60))).is_valid()


def test_child_over_36_months_is_rejected(village_worker):
    form = child_form(village_worker, new_id(years_before(TODAY, 3)))  # exactly 36 months
    assert not form.is_valid()
    assert "未满3周岁" in errors(form)
    assert child_form(village_worker, new_id(months_before(TODAY, 35))).is_valid()


def test_future_birth_date_is_rejected(village_worker):
    form = child_form(village_worker, new_id(TODAY + dt.timedelta(days=3)))
    assert not form.is_valid()
    assert "不合理" in errors(form)


def test_unique_among_living(village_worker):
    number = new_id(elder_birth())
    assert elder_form(village_worker, number).save()
    form = elder_form(village_worker, number)
    assert not form.is_valid()
    message = errors(form)
    assert "已登记" in message
    assert number not in message
    assert number[:6] + "********" + number[-4:] in message


def test_a_deceased_record_does_not_block_registration(village_worker):
    number = new_id(elder_birth())
    first = elder_form(village_worker, number).save()
    Person.objects.filter(pk=first.pk).update(death_date=TODAY)
    assert elder_form(village_worker, number).is_valid()


def test_area_choices_are_the_users_villages(village_worker, town_officer):
    form = elder_form(village_worker, new_id(elder_birth()))
    codes = {area.code for area in form.fields["area"].queryset}
    assert codes == {t.VILLAGE_A1}
    other = elder_form(village_worker, new_id(elder_birth()), area=t.area(t.VILLAGE_A2).pk)
    assert not other.is_valid() and "area" in other.errors
    town_codes = {a.code for a in elder_form(town_officer, "").fields["area"].queryset}
    assert {t.VILLAGE_A1, t.VILLAGE_A2} <= town_codes
    assert all(code.startswith(t.TOWN_A) for code in town_codes)


def test_update_form_has_no_area_and_keeps_the_number(village_worker, elder):
    number = elder.id_number
    form = PersonForm(
        {"name": "王秀英", "phone": "13912345678"}, instance=elder, user=village_worker
    )
    assert "area" not in form.fields
    assert form.is_valid(), form.errors
    form.save()
    elder.refresh_from_db()
    assert elder.id_number == number and elder.phone == "13912345678"


def test_bad_phone_is_rejected(village_worker):
    form = elder_form(village_worker, new_id(elder_birth()), phone="12345")
    assert not form.is_valid()
    assert "电话号码格式不正确" in str(form.errors["phone"])


def test_flag_form_rejects_a_duplicate_and_bad_dates(village_worker, elder):
    data = {"kind": "minimum_living", "valid_from": "2024-01-01"}
    form = HardshipFlagForm(data, user=village_worker, person=elder)
    assert form.is_valid(), form.errors
    form.save()
    again = HardshipFlagForm(data, user=village_worker, person=elder)
    assert not again.is_valid()
    bad = HardshipFlagForm(
        {**data, "valid_from": "2024-02-01", "valid_to": "2024-01-01"},
        user=village_worker,
        person=elder,
    )
    assert not bad.is_valid()


def test_contact_form_encrypts(village_worker, elder):
    form = ContactForm(
        {
            "relation": "emergency",
            "relationship": "女儿",
            "contact_name": "王丽",
            "contact_phone": "13700001234",
        },
        user=village_worker,
        person=elder,
    )
    assert form.is_valid(), form.errors
    contact = form.save()
    assert "13700001234" not in contact.phone_encrypted
    assert contact.full_name == "王丽" and contact.name_masked == "王*"


def test_search_form_normalises(village_worker):
    number = new_id(elder_birth())
    form = IdSearchForm({"id_number": f" {number[:6]} {number[6:]} "}, user=village_worker)
    assert form.is_valid()
    assert form.cleaned_data["id_number"] == number


def test_a_single_village_is_preselected(village_worker, town_officer):
    form = PersonForm(user=village_worker, domain="elderly")
    assert form.fields["area"].initial == t.area(t.VILLAGE_A1).pk
    assert PersonForm(user=town_officer, domain="elderly").fields["area"].initial is None
