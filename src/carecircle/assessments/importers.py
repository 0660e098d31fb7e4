"""Batch import of assessments from Excel: one row per assessment (R16, R28).

Rows are keyed by person, date and reason, so re-importing a file changes nothing. The person is
found by ID number inside the importer's scope only. Each of the 26 items has its own column
(header ``B.1.1 进食`` …); every cell is checked against the item's options and the row against
the same rules as the form (``services.check``), each problem reported on its cell in Chinese.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from carecircle.assessments import services
from carecircle.assessments.models import Assessment
from carecircle.assessments.standard import Item, standard
from carecircle.core.choices import Domain
from carecircle.core.fields import id_number_index
from carecircle.core.idnumbers import normalise_credit_code, parse_resident_id
from carecircle.core.imports import (
    ImportColumn,
    Importer,
    RowInvalid,
    TranslatedTitle,
    parse_bool,
    parse_date,
    parse_int,
    parse_text,
)
from carecircle.institutions.models import Provider
from carecircle.persons.models import Person

# Fields compared to decide "unchanged" on a re-import.
COMPARED = (
    "item_scores",
    "diseases",
    "coma",
    "assessor_name",
    "assessor_medical",
    "second_assessor_name",
    "second_assessor_medical",
    "agency_id",
    "note",
)


def parse_id_number(value: Any) -> str:
    return parse_resident_id(parse_text(value)).number


def parse_reason(value: Any) -> str:
    text = parse_text(value)
    for reason in standard().reasons:
        if text in (reason.code, reason.name) or (reason.code == "review" and text == "复评"):
            return reason.code
    allowed = "、".join(r.name for r in standard().reasons)
    raise ValidationError(_("取值应为：%(a)s") % {"a": allowed})


def item_parser(item: Item):
    def parse(value: Any) -> int:
        points = parse_int(value) if not isinstance(value, bool) else None
        if points is None or item.option(points) is None:
            allowed = "、".join(str(o.points) for o in item.options)
            raise ValidationError(
                _("%(i)s 的得分应为：%(a)s") % {"i": f"{item.code} {item.name}", "a": allowed}
            )
        return points

    return parse


def parse_diseases(value: Any) -> list[str]:
    """Codes (F00-F03) or names (痴呆), separated by 、 , ， ; or ；."""
    text = parse_text(value)
    for separator in ",，;；":
        text = text.replace(separator, "、")
    codes = []
    for part in filter(None, (p.strip() for p in text.split("、"))):
        found = next(
            (
                d.code
                for d in standard().diseases
                if part in (d.code, d.name, d.label) or (d.icd and part == d.icd)
            ),
            None,
        )
        if found is None:
            raise ValidationError(_("未知的疾病“%(d)s”，请填写疾病名称或编码") % {"d": part})
        codes.append(found)
    return codes


def parse_count(value: Any) -> int:
    return parse_int(value) or 0


def item_columns() -> tuple[ImportColumn, ...]:
    return tuple(
        ImportColumn(
            f"{item.code} {item.name}",
            item.field_name,
            item_parser(item),
            example=str(item.max_points),
            note="可选分值：" + "、".join(str(o.points) for o in item.options),
        )
        for item in standard().items
    )


class AssessmentImporter(Importer):
    """Upsert of assessments keyed by (person, date, reason)."""

    title = TranslatedTitle(gettext_noop("老年人能力评估"))
    slug = "assessments"
    permission = "assessments.import_assessment"
    columns = (
        ImportColumn("身份证号", "id_number", parse_id_number, example="320685194005171234"),
        ImportColumn(
            "评估日期", "assessed_on", parse_date, example="2025-03-01", note="YYYY-MM-DD"
        ),
        ImportColumn(
            "评估原因",
            "reason",
            parse_reason,
            example="常规评估",
            note="首次评估、常规评估、即时评估、复评（对评估结果有疑问）、其他",
        ),
        ImportColumn("评估员", "assessor_name", example="张医生"),
        ImportColumn(
            "评估员医学背景", "assessor_medical", parse_bool, required=False, example="是"
        ),
        ImportColumn("第二评估员", "second_assessor_name", example="李社工"),
        ImportColumn(
            "第二评估员医学背景",
            "second_assessor_medical",
            parse_bool,
            required=False,
            example="否",
        ),
        ImportColumn(
            "评估机构信用代码",
            "agency",
            required=False,
            note="受委托评估机构的统一社会信用代码；无则留空",
        ),
        *item_columns(),
        ImportColumn(
            "疾病诊断",
            "diseases",
            parse_diseases,
            required=False,
            example="高血压病、痴呆",
            note="疾病名称或编码（如 F00-F03），多个用“、”分隔",
        ),
        ImportColumn(
            "近30天照护风险事件次数",
            "risk_count",
            parse_count,
            required=False,
            example="0",
            note="跌倒、走失、噎食、自杀或自伤等，2次及以上提高一个级别",
        ),
        ImportColumn("昏迷", "coma", parse_bool, required=False, example="否"),
        ImportColumn("备注", "note", required=False),
    )

    def __init__(self, user):
        super().__init__(user)
        self._agencies: dict[str, Provider] | None = None

    def agencies(self) -> dict[str, Provider]:
        if self._agencies is None:
            self._agencies = {
                p.credit_code: p
                for p in Provider.objects.for_user(self.user)
                .filter(domain=Domain.ELDERLY)
                .exclude(credit_code="")
            }
        return self._agencies

    def row_key(self, values: dict[str, Any]) -> Any:
        return (values["person"].pk, values["assessed_on"], values["reason"])

    def find_person(self, number: str) -> Person | None:
        candidates = Person.objects.for_user(self.user).filter(
            id_number_index=id_number_index(number), merged_into__isnull=True
        )
        return candidates.order_by(F("death_date").asc(nulls_first=True), "-created_at").first()

    def check_row(self, values: dict[str, Any]) -> dict[str, Any]:
        person = self.find_person(values["id_number"])
        if person is None:
            raise RowInvalid({"id_number": _("在您的管辖范围内未找到该身份证号的老年人")})
        agency = None
        if values.get("agency"):
            agency = self.agencies().get(normalise_credit_code(values["agency"]))
            if agency is None:
                raise RowInvalid({"agency": _("您的管辖范围内没有该信用代码的养老服务机构")})
        existing = Assessment.objects.filter(
            person=person, assessed_on=values["assessed_on"], reason=values["reason"]
        ).first()
        assessment = existing or Assessment(
            person=person, assessed_on=values["assessed_on"], reason=values["reason"]
        )
        count = values.get("risk_count") or 0
        keep_events = existing is not None and (
            services.count_risk_events(existing.risk_events, existing.assessed_on) == count
        )
        assessment.risk_events = (
            existing.risk_events if keep_events else [{"kind": "", "date": None}] * count
        )
        assessment.item_scores = {item.code: values[item.field_name] for item in standard().items}
        assessment.diseases = sorted(set(values.get("diseases") or []), key=services.disease_order)
        assessment.coma = bool(values.get("coma"))
        assessment.assessor_name = values["assessor_name"]
        assessment.assessor_medical = bool(values.get("assessor_medical"))
        assessment.second_assessor_name = values["second_assessor_name"]
        assessment.second_assessor_medical = bool(values.get("second_assessor_medical"))
        assessment.agency = agency
        assessment.note = values.get("note") or ""
        try:
            services.check(assessment)
        except ValidationError as exc:
            raise RowInvalid(self.by_column(exc)) from exc
        values.update(person=person, assessment=assessment, existing=existing)
        return values

    @staticmethod
    def by_column(exc: ValidationError) -> dict[str, str]:
        keys = {
            "person": "id_number",
            "risk_events": "risk_count",
            "assessor_medical": "assessor_medical",
        }
        out: dict[str, str] = {}
        for key, messages in exc.message_dict.items():
            item = standard().item(key)
            column = item.field_name if item else keys.get(key, key)
            out[column] = "；".join(messages)
        return out

    def apply_row(self, values: dict[str, Any]) -> str:
        assessment: Assessment = values["assessment"]
        existing: Assessment | None = values["existing"]
        if existing is not None:
            stored = Assessment.objects.get(pk=existing.pk)
            if all(getattr(stored, f) == getattr(assessment, f) for f in COMPARED) and (
                stored.risk_events == services.normalise_events(assessment.risk_events)
            ):
                return "unchanged"
        services.record_assessment(assessment, user=self.user)
        return "created" if existing is None else "updated"
