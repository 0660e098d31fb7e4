"""Excel import of reported indicator values, one row per indicator, area and period.

Column headers are the file format, so they stay in Chinese whatever the UI language. Every row
goes through the same service as the entry form (``reporting.save_report``): the department may
report only its own indicators in its own area, annual indicators only by year, closed periods and
approved (locked) values refuse changes. A row equal to what is stored changes nothing, so
importing the same file twice leaves everything as it was.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from carecircle.areas.models import Area
from carecircle.core.imports import (
    ImportColumn,
    Importer,
    RowInvalid,
    TranslatedTitle,
    parse_bool,
    parse_decimal,
    parse_text,
)
from carecircle.indicators import reporting
from carecircle.indicators.models import Indicator, ReportedValue
from carecircle.indicators.periods import PeriodError, parse


def parse_indicator_code(value: Any) -> str:
    return parse_text(value).upper()


def parse_period_code(value: Any) -> str:
    text = parse_text(value)
    try:
        return parse(text).code
    except PeriodError as exc:
        raise ValidationError(str(exc)) from exc


# Service field names → column keys (the others are the same).
FIELD_COLUMNS = {"indicator": "code", "area": "area_code", "reject_reason": "value"}


class ReportedValueImporter(Importer):
    """Creates or updates reported values (draft, or submitted when 是否提交 is 是)."""

    title = TranslatedTitle(gettext_noop("指标填报值"))
    slug = "reported-values"
    permission = "indicators.report_value"
    columns = (
        ImportColumn("指标代码", "code", parse_indicator_code, example="E01", note="如 E01、E02"),
        ImportColumn(
            "区划代码",
            "area_code",
            parse_text,
            example="320685",
            note="统计用区划代码，须为本人管辖范围内的区划",
        ),
        ImportColumn(
            "期间",
            "period",
            parse_period_code,
            example="2025",
            note="年度填 2025，季度 2025Q1，月度 202503",
        ),
        ImportColumn("数值", "value", parse_decimal, example="96.5", note="按指标的计量单位填写"),
        ImportColumn(
            "分子",
            "numerator",
            parse_decimal,
            required=False,
            example="482500",
            note="比率类指标选填",
        ),
        ImportColumn(
            "分母",
            "denominator",
            parse_decimal,
            required=False,
            example="500000",
            note="比率类指标选填，与分子同时填写",
        ),
        ImportColumn("说明", "comment", parse_text, required=False, example="据2025年社保年报"),
        ImportColumn(
            "是否提交", "submit", parse_bool, required=False, example="否", note="填“是”则提交审核"
        ),
    )

    def __init__(self, user):
        super().__init__(user)
        self._indicators: dict[str, Indicator] | None = None

    @property
    def indicators(self) -> dict[str, Indicator]:
        if self._indicators is None:
            self._indicators = {i.code: i for i in Indicator.objects.all()}
        return self._indicators

    def row_key(self, values: dict[str, Any]) -> Any:
        return (values["indicator"].pk, values["area"].pk, values["period"])

    def _area(self, code: str) -> Area:
        area = Area.objects.filter(code=code).first()
        if area is None:
            raise RowInvalid({"area_code": _("区划代码不存在")})
        if not reporting.in_scope(self.user, area):
            raise RowInvalid({"area_code": _("不在您的管辖范围内")})
        return area

    def check_row(self, values: dict[str, Any]) -> dict[str, Any]:
        indicator = self.indicators.get(values["code"])
        if indicator is None:
            raise RowInvalid({"code": _("指标代码不存在")})
        if not reporting.reportable(indicator):
            raise RowInvalid({"code": _("该指标由系统计算，不能填报")})
        if not reporting.may_report(self.user, indicator):
            raise RowInvalid({"code": _("该指标不由您所在部门填报")})
        area = self._area(values["area_code"])
        values = {**values, "indicator": indicator, "area": area}
        values["comment"] = values.get("comment") or ""
        values["submit"] = bool(values.get("submit"))
        errors: dict[str, str] = {}
        for check in (
            lambda: reporting.check_period(indicator, values["period"]),
            lambda: reporting.check_value(indicator, values["value"]),
            lambda: reporting.check_figures(
                indicator, values["value"], values.get("numerator"), values.get("denominator")
            ),
        ):
            try:
                check()
            except ValidationError as exc:
                for name, messages in getattr(exc, "message_dict", {"value": exc.messages}).items():
                    errors.setdefault(FIELD_COLUMNS.get(name, name), "；".join(messages))
        if errors:
            raise RowInvalid(errors)
        stored = self._stored(values)
        if self._verdict(stored, values) == reporting.LOCKED:
            raise RowInvalid(
                {
                    "value": _("该值已审核锁定（%(v)s），不能通过导入修改；如需更正请先申请解锁")
                    % {"v": stored.value}
                }
            )
        return values

    @staticmethod
    def _stored(values: dict[str, Any]) -> ReportedValue | None:
        return ReportedValue.objects.filter(
            indicator=values["indicator"], area=values["area"], period=values["period"]
        ).first()

    @staticmethod
    def _verdict(stored: ReportedValue | None, values: dict[str, Any]) -> str | None:
        return reporting.classify_incoming(
            stored,
            values["value"],
            numerator=values.get("numerator"),
            denominator=values.get("denominator"),
            comment=values["comment"],
        )

    def apply_row(self, values: dict[str, Any]) -> str:
        verdict = self._verdict(self._stored(values), values)
        if verdict == reporting.UNCHANGED:
            return "unchanged"
        if verdict == reporting.LOCKED:
            raise ValidationError(_("该值已审核锁定，不能通过导入修改"))
        try:
            result = reporting.save_report(
                self.user,
                values["indicator"],
                values["area"],
                values["period"],
                values["value"],
                numerator=values.get("numerator"),
                denominator=values.get("denominator"),
                comment=values["comment"],
                submit=values["submit"],
            )
        except PermissionDenied as exc:
            raise ValidationError(_("无权填报该指标")) from exc
        return result.outcome
