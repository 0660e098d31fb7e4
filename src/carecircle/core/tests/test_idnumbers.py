import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from carecircle.core.idnumbers import (
    make_credit_code,
    make_resident_id,
    mask_id_number,
    mask_name,
    mask_phone,
    normalise_credit_code,
    parse_resident_id,
)

VALID = make_resident_id("320685", dt.date(1940, 3, 8), 123)  # odd sequence: male


def test_valid_number_gives_birth_date_and_sex():
    parsed = parse_resident_id(VALID)
    assert parsed.number == VALID
    assert parsed.birth_date == dt.date(1940, 3, 8)
    assert parsed.sex == "M"


def test_area_code_not_existing_in_birth_year_is_only_a_warning():
    # 320685 was created in 2018; an elder born in 1940 legitimately carries it.
    assert parse_resident_id(VALID).warnings


def test_bad_check_digit_is_rejected():
    wrong = VALID[:-1] + ("0" if VALID[-1] != "0" else "1")
    with pytest.raises(ValidationError, match="校验位"):
        parse_resident_id(wrong)


def test_impossible_date_is_rejected():
    base = "32068519230229012"  # 1923 is not a leap year
    with pytest.raises(ValidationError, match="出生日期不存在"):
        parse_resident_id(base + "0")


def test_future_birth_date_is_rejected():
    number = make_resident_id("320685", dt.date(2030, 1, 1), 11)
    with pytest.raises(ValidationError, match="不合理"):
        parse_resident_id(number, today=dt.date(2026, 1, 1))


def test_full_width_digits_spaces_and_lower_case_x_are_normalised():
    number = make_resident_id("320685", dt.date(1951, 1, 1), 0)
    # Find a sequence whose check character is X to exercise the lower-case form.
    seq = 0
    while not number.endswith("X"):
        seq += 1
        number = make_resident_id("320685", dt.date(1951, 1, 1), seq)
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number[:-1])
    raw = f" {full_width[:6]} {full_width[6:]}x "
    assert parse_resident_id(raw).number == number


def test_legacy_15_digit_number_is_converted():
    parsed = parse_resident_id("320621400308123")
    assert parsed.number.startswith("32062119400308123")
    assert len(parsed.number) == 18
    assert parsed.birth_date == dt.date(1940, 3, 8)


@pytest.mark.parametrize("raw", ["", "12345", "32068519400308123A", "ABCDEFGHIJKLMNOPQR"])
def test_malformed_numbers_are_rejected(raw):
    with pytest.raises(ValidationError):
        parse_resident_id(raw)


def test_masks():
    assert mask_id_number("320685194003081234") == "320685********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("张小明") == "张*明"
    assert mask_name("李四") == "李*"


def test_credit_code_valid_and_invalid():
    code = make_credit_code("52320685MJ0000001")
    assert normalise_credit_code(code.lower()) == code
    broken = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(ValidationError, match="统一社会信用代码无效"):
        normalise_credit_code(broken)
