"""Excel import of elders' health checks (R16, R28): one row per elder and day, keyed by the ID
number and the check date, so re-importing a file changes nothing.

The elder must be registered and in the importing user's scope. The institution is matched by
name to a registered hospital or health centre the user sees; otherwise the name is kept as
written (a primary-care institution not registered here).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from carecircle.core.imports import (
    ImportColumn,
    Importer,
    RowInvalid,
    TranslatedTitle,
    parse_bool,
    parse_date,
    parse_text,
)
from carecircle.health.choices import EXAMINATIONS
from carecircle.health.forms import check_date_problem, find_elder
from carecircle.health.models import ElderHealthCheck
from carecircle.persons.importers import parse_id_number
from carecircle.referrals.models import Hospital

# The fields a row sets, compared with a stored check to tell "unchanged" from "updated".
WRITTEN = (
    "hospital_id",
    "institution_name",
    *(name for name, _label in EXAMINATIONS),
    "health_assessment",
    "guidance_given",
    "results_summary",
)


def _flag(header: str, key: str, note: str = "") -> ImportColumn:
    return ImportColumn(
        header, key, parse_bool, required=False, example="是", note=note or "是或否，空为否"
    )


class ElderHealthCheckImporter(Importer):
    """Headers are plain Chinese strings: they must match the uploaded file."""

    title = TranslatedTitle(gettext_noop("老年人健康体检"))
    slug = "health-checks"
    permission = "health.import_elderhealthcheck"
    columns = (
        ImportColumn("身份证号", "id_number", parse_id_number, example="320685195005171234"),
        ImportColumn("体检日期", "checked_on", parse_date, example="2025-04-12", note="YYYY-MM-DD"),
        ImportColumn(
            "体检机构",
            "institution_name",
            parse_text,
            example="海安市曲塘镇中心卫生院",
            note="已登记的医院按名称匹配，其他机构按所填名称保存",
        ),
        _flag("体格检查", "physical_exam"),
        _flag("血常规", "blood_routine"),
        _flag("尿常规", "urine_routine"),
        _flag("肝功能", "liver_function"),
        _flag("肾功能", "kidney_function"),
        _flag("空腹血糖", "blood_glucose"),
        _flag("血脂", "blood_lipids"),
        _flag("心电图", "ecg"),
        _flag("腹部B超", "abdominal_ultrasound"),
        _flag("健康状况评估", "health_assessment", "生活方式和健康状况评估，是或否"),
        _flag("健康指导", "guidance_given", "已告知结果并进行健康指导，是或否"),
        ImportColumn("体检结果摘要", "results_summary", parse_text, required=False),
    )

    def __init__(self, user):
        super().__init__(user)
        self._hospitals: dict[str, Hospital] | None = None

    def hospitals(self) -> dict[str, Hospital]:
        if self._hospitals is None:
            self._hospitals = {h.name: h for h in Hospital.objects.for_user(self.user)}
        return self._hospitals

    def row_key(self, values: dict[str, Any]) -> Any:
        return (values["person"].pk, values["checked_on"])

    def check_row(self, values: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, str] = {}
        try:
            values["person"] = find_elder(self.user, values["id_number"])
        except ValidationError as exc:
            raise RowInvalid({"id_number": "；".join(exc.messages)}) from exc
        problem = check_date_problem(values["person"], values["checked_on"])
        if problem:
            errors["checked_on"] = problem
        name = values["institution_name"]
        if len(name) > 150:
            errors["institution_name"] = _("机构名称不能超过150个字")
        if len(values.get("results_summary", "")) > 2000:
            errors["results_summary"] = _("结果摘要不能超过2000字")
        if errors:
            raise RowInvalid(errors)
        hospital = self.hospitals().get(name)
        values["hospital_id"] = hospital.pk if hospital else None
        for field, _label in EXAMINATIONS:
            values.setdefault(field, False)
        values.setdefault("health_assessment", False)
        values.setdefault("guidance_given", False)
        values.setdefault("results_summary", "")
        return values

    def apply_row(self, values: dict[str, Any]) -> str:
        person = values["person"]
        check = (
            ElderHealthCheck.objects.select_for_update()
            .filter(person=person, checked_on=values["checked_on"])
            .first()
        )
        if check is None:
            check = ElderHealthCheck(person=person, checked_on=values["checked_on"])
            for name in WRITTEN:
                setattr(check, name, values[name])
            check.full_clean()
            check.save()
            return "created"
        dirty = [name for name in WRITTEN if getattr(check, name) != values[name]]
        if not dirty:
            return "unchanged"
        for name in dirty:
            setattr(check, name, values[name])
        check.full_clean()
        check.save()
        return "updated"
