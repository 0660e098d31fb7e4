"""Excel import of fund allocations (R16, R28), keyed by year, document number and project:
re-importing a file changes nothing, a changed amount or purpose updates the allocation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from carecircle.core.imports import (
    ImportColumn,
    Importer,
    RowInvalid,
    TranslatedTitle,
    choice_parser,
    parse_date,
    parse_decimal,
    parse_int,
    parse_text,
)
from carecircle.funds.choices import Purpose
from carecircle.funds.forms import receiving_areas
from carecircle.funds.models import FIRST_YEAR, LotteryAllocation

WRITTEN = ("allocated_on", "area_id", "purpose", "amount", "note")


def parse_amount(value: Any) -> Decimal | None:
    amount = parse_decimal(value)
    if amount is None:
        return None
    if amount <= 0:
        raise ValidationError(_("金额须大于0"))
    if amount.as_tuple().exponent < -2:
        raise ValidationError(_("金额最多保留两位小数"))
    if amount >= Decimal("1e12"):
        raise ValidationError(_("金额过大"))
    return amount.quantize(Decimal("0.01"))


class LotteryAllocationImporter(Importer):
    """Headers are plain Chinese strings: they must match the uploaded file."""

    title = TranslatedTitle(gettext_noop("福彩公益金分配"))
    slug = "lottery-allocations"
    permission = "funds.add_lotteryallocation"
    columns = (
        ImportColumn("资金年度", "year", parse_int, example="2025"),
        ImportColumn(
            "下达日期", "allocated_on", parse_date, example="2025-04-15", note="YYYY-MM-DD"
        ),
        ImportColumn(
            "接收区划代码",
            "area",
            parse_text,
            example="320685",
            note="市本级6位或镇（街道）9位代码",
        ),
        ImportColumn("项目名称", "project", parse_text, example="居家养老服务中心运营补助"),
        ImportColumn(
            "用途",
            "purpose",
            choice_parser(Purpose),
            example="养老服务",
            note="养老服务、儿童福利、残疾人福利、社会救助、其他",
        ),
        ImportColumn("金额（元）", "amount", parse_amount, example="500000.00"),
        ImportColumn("文号", "doc_no", parse_text, example="海民〔2025〕12号"),
        ImportColumn("备注", "note", parse_text, required=False),
    )

    def __init__(self, user):
        super().__init__(user)
        self._areas: dict[str, Any] | None = None

    def areas(self) -> dict[str, Any]:
        if self._areas is None:
            self._areas = {area.code: area for area in receiving_areas(self.user)}
        return self._areas

    def row_key(self, values: dict[str, Any]) -> Any:
        return (values["year"], values["doc_no"], values["project"])

    def check_row(self, values: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, str] = {}
        year, on = values["year"], values["allocated_on"]
        if year < FIRST_YEAR or year > 2100:
            errors["year"] = _("资金年度不正确")
        elif on.year != year:
            errors["allocated_on"] = _("下达日期须在资金年度内")
        area = self.areas().get(values["area"])
        if area is None:
            errors["area"] = _("区划代码%(c)s不是您管辖范围内的市本级或镇（街道）") % {
                "c": values["area"]
            }
        for key, limit in (("project", 200), ("doc_no", 100), ("note", 500)):
            if len(values.get(key, "")) > limit:
                errors[key] = _("不能超过%(n)d个字") % {"n": limit}
        existing = LotteryAllocation.objects.filter(
            year=year, doc_no=values["doc_no"], project=values["project"]
        ).first()
        if existing is not None and not (
            LotteryAllocation.objects.for_user(self.user).filter(pk=existing.pk).exists()
        ):
            errors["project"] = _("该项目已由其他辖区登记，无法在此更新")
        if errors:
            raise RowInvalid(errors)
        values["area_id"] = area.pk
        values["existing"] = existing
        values.setdefault("note", "")
        return values

    def apply_row(self, values: dict[str, Any]) -> str:
        allocation = values["existing"]
        if allocation is None:
            allocation = LotteryAllocation(
                year=values["year"], doc_no=values["doc_no"], project=values["project"]
            )
            for name in WRITTEN:
                setattr(allocation, name, values[name])
            allocation.full_clean()
            allocation.save()
            return "created"
        allocation = LotteryAllocation.objects.select_for_update().get(pk=allocation.pk)
        dirty = [name for name in WRITTEN if getattr(allocation, name) != values[name]]
        if not dirty:
            return "unchanged"
        for name in dirty:
            setattr(allocation, name, values[name])
        allocation.full_clean()
        allocation.save()
        return "updated"
