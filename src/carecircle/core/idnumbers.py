"""Resident ID numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015).

python-stdnum does the arithmetic. Its ``ric.validate`` also insists that the address code existed
in the birth year, which rejects real Hai'an elders born before 320685 (or 320621) was created, so
here only format, check digit and birth date are errors; the place check is a warning
(domain-facts.md §7).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidComponent
from stdnum.exceptions import ValidationError as StdnumError

_SEPARATORS = re.compile(r"[\s\-]+")


def _fold(raw: str) -> str:
    """Full-width digits and letters to ASCII, separators and spaces dropped, upper case."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or "")).upper()


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: dt.date
    sex: str  # "M" or "F", from the parity of the 17th digit
    warnings: list[str] = field(default_factory=list)

    @property
    def masked(self) -> str:
        return mask_id_number(self.number)


def parse_resident_id(raw: str, *, today: dt.date | None = None) -> ResidentId:
    """Validate and normalise a resident ID; raise ``ValidationError`` with a Chinese message."""
    number = _fold(raw)
    if len(number) == 15 and number.isdigit():
        # Legacy first-generation card: YYMMDD born in the 1900s, no check character.
        base = number[:6] + "19" + number[6:]
        number = base + ric.calc_check_digit(base + "0")
    if len(number) != 18:
        raise ValidationError(
            _("身份证号应为18位（或15位旧号），实际为%(n)d位") % {"n": len(number)}
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("身份证号格式错误：前17位须为数字，末位为数字或X"))
    try:
        birth_date = ric.get_birth_date(number)
    except InvalidComponent as exc:
        raise ValidationError(_("身份证号中的出生日期不存在：%(d)s") % {"d": number[6:14]}) from exc
    today = today or timezone.localdate()
    if birth_date > today or birth_date.year < 1890:
        raise ValidationError(
            _("身份证号中的出生日期不合理：%(d)s") % {"d": birth_date.isoformat()}
        )
    if number[17] != ric.calc_check_digit(number):
        raise ValidationError(_("身份证号校验位错误"))
    warnings: list[str] = []
    try:
        ric.get_birth_place(number)
    except (InvalidComponent, KeyError, ValueError):
        warnings.append(_("地址码 %(c)s 在出生年份未启用（仅提示）") % {"c": number[:6]})
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return ResidentId(number=number, birth_date=birth_date, sex=sex, warnings=warnings)


def is_valid_resident_id(raw: str) -> bool:
    try:
        parse_resident_id(raw)
    except ValidationError:
        return False
    return True


def make_resident_id(area_code: str, birth_date: dt.date, sequence: int) -> str:
    """Build a valid 18-digit number (demo data and tests). Odd sequence = male."""
    base = f"{area_code[:6]}{birth_date:%Y%m%d}{sequence % 1000:03d}"
    return base + ric.calc_check_digit(base + "0")


def normalise_credit_code(raw: str) -> str:
    """Validate a unified social credit code; return it compacted or raise a Chinese error."""
    code = _fold(raw)
    try:
        return uscc.validate(code)
    except StdnumError as exc:
        raise ValidationError(_("统一社会信用代码无效：%(c)s") % {"c": code}) from exc


def make_credit_code(body17: str) -> str:
    """Complete a 17-character body with its check character (demo data and tests)."""
    return body17 + uscc.calc_check_digit(body17)


def mask_id_number(number: str) -> str:
    """320685********1234: keeps the area code and the last four characters (R24)."""
    if not number:
        return ""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str) -> str:
    digits = phone or ""
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_name(name: str) -> str:
    """张*明 for three characters, 张* for two, first and last kept otherwise."""
    if not name:
        return ""
    if len(name) == 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


ID_NUMBER_PATTERN = re.compile(
    r"(?<![0-9])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx]"
)
