"""Excel import of infant health services (R16, R28): one sheet, one service per row, the kind
named in 服务类型. The child must be registered and in the importing user's scope. Each row is
keyed by what identifies the service (visit: child and day; screening: child; vaccination: child
and dose; health check: child and scheduled age; guidance: child, day and topic), so
re-importing a file changes nothing and a corrected row updates the record it names. Any bad cell
and nothing is written; errors name the row and the column.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from carecircle.childhealth.choices import (
    DISEASE_FIELDS,
    Checkpoint,
    GuidanceMode,
    GuidanceTopic,
    ScreeningResult,
)
from carecircle.childhealth.forms import checkpoint_problem, date_problem, find_child
from carecircle.childhealth.models import (
    ChildHealthCheck,
    DevelopmentGuidance,
    NewbornScreening,
    NewbornVisit,
    Vaccination,
    VaccineDose,
)
from carecircle.core.imports import (
    ImportColumn,
    Importer,
    RowInvalid,
    TranslatedTitle,
    choice_parser,
    parse_date,
    parse_decimal,
    parse_text,
)
from carecircle.persons.importers import parse_id_number

KINDS = {
    "新生儿访视": "visit",
    "新生儿筛查": "screening",
    "预防接种": "vaccination",
    "健康检查": "check",
    "早期发展指导": "guidance",
}
# Model field → the column it comes from (for error messages).
COLUMN_OF = {
    "visited_on": "on",
    "sampled_on": "on",
    "given_on": "on",
    "checked_on": "on",
    "visitor": "staff",
    "given_by": "staff",
    "institution_name": "institution",
    "clinic": "institution",
    "batch": "batch",
    "findings": "note",
    "note": "note",
    "weight_kg": "weight_kg",
    "length_cm": "length_cm",
    "head_cm": "head_cm",
    "result": "result",
    "mode": "mode",
}
DISEASE_CODES = {"PKU": "pku", "CH": "ch", "CAH": "cah", "G6PD": "g6pd"}


def parse_kind(value: Any) -> str:
    text = parse_text(value)
    if text not in KINDS:
        raise ValidationError(_("取值应为：%(a)s") % {"a": "、".join(KINDS)})
    return KINDS[text]


def optional(parse):
    def parser(value: Any):
        return None if parse_text(value) == "" else parse(value)

    return parser


def _limit(values: dict, key: str, size: int, errors: dict, label: str) -> None:
    if len(values.get(key) or "") > size:
        errors[key] = _("%(what)s不能超过%(n)d个字") % {"what": label, "n": size}


class ChildHealthImporter(Importer):
    """Headers are plain Chinese strings: they must match the uploaded file."""

    title = TranslatedTitle(gettext_noop("婴幼儿健康服务"))
    slug = "child-health"
    permission = "childhealth.import_childhealthrecords"
    columns = (
        ImportColumn("身份证号", "id_number", parse_id_number, example="320685202501101234"),
        ImportColumn("服务类型", "kind", parse_kind, example="预防接种", note="、".join(KINDS)),
        ImportColumn("服务日期", "on", parse_date, example="2025-03-12", note="YYYY-MM-DD"),
        ImportColumn(
            "项目",
            "item",
            parse_text,
            required=False,
            example="HepB-2",
            note="预防接种：疫苗代码-剂次（如 DTaP-1）或“乙肝疫苗第2剂”；健康检查：满月、3月龄…；"
            "早期发展指导：指导内容；新生儿筛查：筛查病种（如 PKU、CH、CAH、G6PD，空为四病）",
        ),
        ImportColumn(
            "单位", "institution", parse_text, required=False, example="海安镇预防接种门诊"
        ),
        ImportColumn("人员", "staff", parse_text, required=False, note="访视或指导人员"),
        ImportColumn("批号", "batch", parse_text, required=False, note="预防接种的疫苗批号"),
        ImportColumn(
            "结果",
            "result",
            optional(choice_parser(ScreeningResult)),
            required=False,
            note="新生儿筛查结果，空为待出结果",
        ),
        ImportColumn(
            "指导方式",
            "mode",
            optional(choice_parser(GuidanceMode)),
            required=False,
            note="、".join(str(label) for label in GuidanceMode.labels),
        ),
        ImportColumn("体重(kg)", "weight_kg", parse_decimal, required=False),
        ImportColumn("身长(cm)", "length_cm", parse_decimal, required=False),
        ImportColumn("头围(cm)", "head_cm", parse_decimal, required=False),
        ImportColumn("说明", "note", parse_text, required=False, note="访视情况、检查所见等"),
    )

    def __init__(self, user):
        super().__init__(user)
        self._doses: dict[str, VaccineDose] | None = None

    def doses(self) -> dict[str, VaccineDose]:
        """Each dose by ``HepB-1`` and by ``乙肝疫苗第1剂``."""
        if self._doses is None:
            self._doses = {}
            for dose in VaccineDose.objects.all():
                self._doses[f"{dose.code}-{dose.dose_number}".upper()] = dose
                self._doses[f"{dose.vaccine_name}第{dose.dose_number}剂"] = dose
        return self._doses

    def row_key(self, values: dict[str, Any]) -> Any:
        return (values["model"], tuple(sorted(values["lookup"].items())))

    def check_row(self, values: dict[str, Any]) -> dict[str, Any]:
        try:
            child = find_child(self.user, values["id_number"])
        except ValidationError as exc:
            raise RowInvalid({"id_number": "；".join(exc.messages)}) from exc
        errors: dict[str, str] = {}
        problem = date_problem(child, values["on"])
        if problem:
            errors["on"] = problem
        _limit(values, "note", 1000, errors, _("说明"))
        _limit(values, "institution", 150, errors, _("单位"))
        _limit(values, "staff", 50, errors, _("人员"))
        _limit(values, "batch", 40, errors, _("批号"))
        build = getattr(self, f"_{values['kind']}")
        model, lookup, fields = build(child, values, errors)
        if not errors:
            candidate = model(child=child, **lookup, **fields)
            try:
                candidate.full_clean(exclude=["child"], validate_unique=False)
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    errors[COLUMN_OF.get(name, "item")] = "；".join(messages)
        if errors:
            raise RowInvalid(errors)
        values.update(model=model, lookup={"child_id": child.pk, **lookup}, fields=fields)
        return values

    # One builder per kind: (model, identifying fields, written fields); errors by column key.

    def _visit(self, child, v, errors):
        if not v["staff"]:
            errors["staff"] = _("新生儿访视须填写访视人员")
        fields = {
            "visitor": v["staff"],
            "institution_name": v["institution"],
            "findings": v["note"],
        }
        return NewbornVisit, {"visited_on": v["on"]}, fields

    def _screening(self, child, v, errors):
        screened = set(DISEASE_FIELDS)
        if v["item"]:
            codes = [c for c in re.split(r"[、,，;；\s]+", v["item"].upper()) if c]
            unknown = [c for c in codes if c not in DISEASE_CODES]
            if unknown:
                errors["item"] = _("筛查病种应为 PKU、CH、CAH、G6PD")
            screened = {DISEASE_CODES[c] for c in codes if c in DISEASE_CODES}
        fields = {name: name in screened for name in DISEASE_FIELDS}
        fields.update(
            sampled_on=v["on"],
            result=v["result"] or ScreeningResult.PENDING,
            institution_name=v["institution"],
            note=v["note"],
        )
        return NewbornScreening, {}, fields

    def _vaccination(self, child, v, errors):
        dose = self.doses().get(v["item"].replace(" ", "").upper()) or self.doses().get(v["item"])
        if dose is None:
            errors["item"] = _("未找到该疫苗剂次，应填如 HepB-1 或“乙肝疫苗第1剂”")
        fields = {"given_on": v["on"], "batch": v["batch"], "clinic": v["institution"]}
        return Vaccination, {"dose_id": dose.pk if dose else None}, fields

    def _check(self, child, v, errors):
        checkpoint = None
        try:
            checkpoint = choice_parser(Checkpoint)(v["item"])
        except ValidationError as exc:
            errors["item"] = "；".join(exc.messages)
        if checkpoint and "on" not in errors:
            problem = checkpoint_problem(child, checkpoint, v["on"])
            if problem:
                errors["on"] = problem
        fields = {
            "checked_on": v["on"],
            "weight_kg": v["weight_kg"],
            "length_cm": v["length_cm"],
            "head_cm": v["head_cm"],
            "institution_name": v["institution"],
            "findings": v["note"],
        }
        return ChildHealthCheck, {"checkpoint": checkpoint}, fields

    def _guidance(self, child, v, errors):
        topic = None
        try:
            topic = choice_parser(GuidanceTopic)(v["item"])
        except ValidationError as exc:
            errors["item"] = "；".join(exc.messages)
        if not v["mode"]:
            errors["mode"] = _("早期发展指导须填写指导方式")
        fields = {"mode": v["mode"], "given_by": v["staff"], "note": v["note"]}
        return DevelopmentGuidance, {"given_on": v["on"], "topic": topic}, fields

    def apply_row(self, values: dict[str, Any]) -> str:
        model, lookup, fields = values["model"], values["lookup"], values["fields"]
        record = model.objects.select_for_update().filter(**lookup).first()
        if record is None:
            record = model(**lookup, **fields)
            record.full_clean()
            record.save()
            return "created"
        dirty = [name for name, value in fields.items() if getattr(record, name) != value]
        if not dirty:
            return "unchanged"
        for name in dirty:
            setattr(record, name, fields[name])
        record.full_clean()
        record.save()
        return "updated"
