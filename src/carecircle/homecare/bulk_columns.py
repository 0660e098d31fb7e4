"""The columns of a service-order file and the checks of single values.

A file's values repeat a lot (a few hundred providers and items, the same elders every week, times
on the half hour), so every check here runs once per distinct value of a column
(``ColumnMapper``), and the mapping from raw cells to clean values is then a dictionary lookup
done in C (``map``). Headers are plain Chinese strings: they must match the uploaded file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric

from carecircle.core.idnumbers import normalise_credit_code, parse_resident_id
from carecircle.homecare.choices import Funding, OrderStatus


@dataclass(frozen=True)
class OrderColumn:
    key: str
    header: str
    required: bool
    example: str
    note: str = ""


COLUMNS: tuple[OrderColumn, ...] = (
    OrderColumn(
        "credit_code",
        "服务机构统一社会信用代码",
        True,
        "52320685MJ0000001T",
        "18位；须为已登记且在您管辖范围内的养老服务机构",
    ),
    OrderColumn("external_ref", "工单编号", True, "GD20250301001", "机构内唯一，最长40个字符"),
    OrderColumn("id_number", "老人身份证号", True, "320685195005171233", "须已在老年人名册中登记"),
    OrderColumn("item_code", "服务项目编码", True, "ZC01", "服务菜单中在用的项目编码"),
    OrderColumn(
        "worker_id_number",
        "服务人员身份证号",
        False,
        "320685198003154329",
        "须为该机构在服务日期在职的从业人员",
    ),
    OrderColumn("status", "状态", True, "已完成", "已派单、已完成、已取消、未上门"),
    OrderColumn(
        "scheduled_start", "预约开始时间", True, "2025-03-01 09:00", "格式 YYYY-MM-DD HH:MM"
    ),
    OrderColumn("scheduled_end", "预约结束时间", False, "2025-03-01 10:00", "不早于预约开始时间"),
    OrderColumn("checked_in_at", "签到时间", False, "2025-03-01 09:02"),
    OrderColumn("checked_out_at", "签退时间", False, "2025-03-01 10:05", "不早于签到时间"),
    OrderColumn("quantity", "服务数量", True, "1", "大于0，最多两位小数（小时、次或餐）"),
    OrderColumn("funding", "资金来源", True, "政府购买", "政府购买、自费"),
    OrderColumn("unit_price", "单价", True, "30.00", "元，最多两位小数"),
    OrderColumn("cost", "金额", True, "30.00", "元；须等于服务数量×单价（四舍五入到分）"),
    OrderColumn("rating", "评分", False, "5", "1至5的整数"),
    OrderColumn("complaint", "投诉内容", False, "", "最多500字"),
)
HEADERS = {column.key: column.header for column in COLUMNS}
KEYS = tuple(column.key for column in COLUMNS)


class Invalid:
    """A value that failed its check, with the reason (kept in the mappers' caches)."""

    __slots__ = ("message",)

    def __init__(self, message: str):
        self.message = message


def cell_text(value: Any) -> str:
    """A cell as text: numbers typed into a spreadsheet lose their ``.0``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class ColumnMapper:
    """Clean values of one column: each distinct raw value is resolved once (in batches, so
    lookups can query the database once for many values) and remembered across chunks."""

    def __init__(self, resolve: Callable[[list[Any]], dict[Any, Any]], keep: int = 200_000):
        self.resolve = resolve
        self.known: dict[Any, Any] = {}
        self.invalid: set[Any] = set()
        self.keep = keep

    def map(self, raw: Sequence[Any]) -> tuple[list[Any], list[tuple[int, str]]]:
        """Clean values (``None`` where invalid) and ``(position, message)`` of invalid cells."""
        known = self.known
        if not self.invalid:
            # Usually every value was seen in an earlier chunk: one lookup per cell, in C.
            try:
                return list(map(known.__getitem__, raw)), []
            except KeyError:
                pass
        distinct = set(raw)
        new = distinct.difference(known)
        if new:
            resolved = self.resolve(list(new))
            known.update(resolved)
            self.invalid.update(k for k, v in resolved.items() if isinstance(v, Invalid))
        bad = distinct & self.invalid
        if not bad:
            values = list(map(known.__getitem__, raw))
            errors: list[tuple[int, str]] = []
        else:
            values = [None if value in bad else known[value] for value in raw]
            errors = [(i, known[value].message) for i, value in enumerate(raw) if value in bad]
        if len(known) > self.keep:
            self.known = {}
            self.invalid = set()
        return values, errors


def each(parse: Callable[[Any], Any]) -> Callable[[list[Any]], dict[Any, Any]]:
    """A resolver that checks values one by one with ``parse`` (raising ``ValidationError``)."""

    def resolve(values: list[Any]) -> dict[Any, Any]:
        out = {}
        for value in values:
            try:
                out[value] = parse(value)
            except ValidationError as exc:
                out[value] = Invalid("；".join(exc.messages))
        return out

    return resolve


def _blank(required: bool) -> None:
    if required:
        raise ValidationError(_("不能为空"))


# Single values --------------------------------------------------------------------------------


def text_parser(max_length: int, required: bool) -> Callable[[Any], str | None]:
    def parse(value: Any) -> str | None:
        text = cell_text(value)
        if not text:
            _blank(required)
            return "" if not required else None
        if len(text) > max_length:
            raise ValidationError(_("不能超过%(n)d个字符") % {"n": max_length})
        return text

    return parse


_DATETIME = re.compile(
    r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
)
FIRST_YEAR = 2000


def datetime_parser(
    required: bool, not_future: bool = False
) -> Callable[[Any], dt.datetime | None]:
    """Local wall-clock time (the settings' time zone), kept naive: the checks compare local
    times, and the writer converts to UTC once per distinct value (``bulk_write``)."""
    # Clocks of phones differ a little from the server's.
    latest = timezone.localtime().replace(tzinfo=None) + dt.timedelta(minutes=10)
    last_year = latest.year + 1

    def parse(value: Any) -> dt.datetime | None:
        if isinstance(value, dt.datetime):
            moment = value
            if moment.tzinfo is not None:
                moment = timezone.localtime(moment).replace(tzinfo=None)
            if moment.microsecond:  # a spreadsheet's float time: to the nearest second
                moment = (moment + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
        elif isinstance(value, dt.date):
            raise ValidationError(_("须包含时间，如 2025-03-01 09:00"))
        else:
            text = cell_text(value)
            if not text:
                _blank(required)
                return None
            moment = _wall_clock(text)
        if moment.year < FIRST_YEAR:
            raise ValidationError(_("时间不合理：早于%(y)d年") % {"y": FIRST_YEAR})
        if moment.year > last_year:
            raise ValidationError(_("时间不合理：晚于明年"))
        if not_future and moment > latest:
            raise ValidationError(_("不能晚于当前时间"))
        return moment

    return parse


def _wall_clock(text: str) -> dt.datetime:
    """``YYYY-MM-DD HH:MM[:SS]`` (also with / or . between the date's parts, one-digit months,
    days and hours); a time zone written in the text is converted to local time."""
    if len(text) >= 16 and text[4] == "-" and text[10] in " T":
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            if moment.tzinfo is not None:
                moment = timezone.localtime(moment).replace(tzinfo=None)
            return moment.replace(microsecond=0) if moment.microsecond else moment
    match = _DATETIME.fullmatch(text)
    if match is None:
        raise ValidationError(_("时间格式应为 YYYY-MM-DD HH:MM（如 2025-03-01 09:00）"))
    year, month, day, hour, minute, second = (int(g or 0) for g in match.groups())
    try:
        return dt.datetime(year, month, day, hour, minute, second)
    except ValueError as exc:
        raise ValidationError(_("时间不存在：%(t)s") % {"t": text}) from exc


def decimal_parser(
    max_digits: int, places: int, required: bool, positive: bool = False
) -> Callable[[Any], Decimal | None]:
    step = Decimal(1).scaleb(-places)
    limit = Decimal(10) ** (max_digits - places)

    def parse(value: Any) -> Decimal | None:
        if isinstance(value, float):
            # A spreadsheet's float: drop binary noise (12.450000000000001) before checking.
            text = repr(round(value, 6))
        else:
            text = cell_text(value).replace(",", "")
        if not text:
            _blank(required)
            return None
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise ValidationError(_("应为数字")) from exc
        if not number.is_finite():
            raise ValidationError(_("应为数字"))
        if number < 0:
            raise ValidationError(_("不能为负数"))
        if positive and number == 0:
            raise ValidationError(_("须大于0"))
        rounded = number.quantize(step) if number < limit else number
        if rounded != number:
            raise ValidationError(_("最多保留%(n)d位小数") % {"n": places})
        if rounded >= limit:
            raise ValidationError(_("数值过大"))
        return rounded

    return parse


def rating_parser(value: Any) -> int | None:
    text = cell_text(value)
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValidationError(_("评分应为1至5的整数")) from exc
    if not number.is_finite() or number != number.to_integral_value() or not 1 <= number <= 5:
        raise ValidationError(_("评分应为1至5的整数"))
    return int(number)


def choice_parser(choices) -> Callable[[Any], str]:
    """The Chinese label or the code of a ``TextChoices``."""
    by_text = {str(label): value for value, label in choices.choices}
    by_text.update({value: value for value in choices.values})

    def parse(value: Any) -> str:
        text = cell_text(value)
        if not text:
            _blank(True)
        if text not in by_text:
            allowed = "、".join(str(label) for _value, label in choices.choices)
            raise ValidationError(_("取值应为：%(a)s") % {"a": allowed})
        return by_text[text]

    return parse


def credit_code_parser(value: Any) -> str:
    text = cell_text(value)
    if not text:
        _blank(True)
    return normalise_credit_code(text)


def resident_number_parser(required: bool) -> Callable[[Any], str | None]:
    """A resident ID number checked for format, check digit and birth date only (the address
    code is not an error: domain facts §7). Well-formed numbers take a short path through
    python-stdnum; anything else goes through ``parse_resident_id`` for its exact message."""
    today = timezone.localdate()
    earliest = dt.date(1890, 1, 1)

    def parse(value: Any) -> str | None:
        text = cell_text(value)
        if not text:
            _blank(required)
            return None
        if len(text) == 18 and text[:17].isdigit() and (text[17].isdigit() or text[17] == "X"):
            try:
                born = ric.get_birth_date(text)
            except Exception:  # noqa: BLE001 - stdnum's own error types; the slow path explains
                born = None
            if (
                born is not None
                and earliest <= born <= today
                and ric.calc_check_digit(text) == text[17]
            ):
                return text
        return parse_resident_id(text, today=today).number

    return parse


def parsers() -> dict[str, Callable[[list[Any]], dict[Any, Any]]]:
    """Resolvers for the columns that need no database (the references are in ``bulk_refs``)."""
    return {
        "external_ref": each(text_parser(40, required=True)),
        "status": each(choice_parser(OrderStatus)),
        "scheduled_start": each(datetime_parser(required=True)),
        "scheduled_end": each(datetime_parser(required=False)),
        "checked_in_at": each(datetime_parser(required=False, not_future=True)),
        "checked_out_at": each(datetime_parser(required=False, not_future=True)),
        "quantity": each(decimal_parser(8, 2, required=True, positive=True)),
        "funding": each(choice_parser(Funding)),
        "unit_price": each(decimal_parser(10, 2, required=True)),
        "cost": each(decimal_parser(12, 2, required=True)),
        "rating": each(rating_parser),
        "complaint": each(text_parser(500, required=False)),
    }


def distinct_valid(values: Iterable[Any]) -> set[Any]:
    return {value for value in values if value is not None}
