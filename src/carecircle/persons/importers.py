"""Excel imports of elders, children and batch deaths / move-outs (R16, R28).

Rows are keyed by the ID number's blind index, so re-importing a file changes nothing. The village
(12-digit statistical code) must lie inside the importing user's area; people outside the user's
scope are neither read nor written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from carecircle.areas.models import Area
from carecircle.areas.services import current_units_for
from carecircle.audit.choices import AuditAction
from carecircle.audit.services import record
from carecircle.core.choices import Domain, ScopeDomain
from carecircle.core.fields import id_number_index
from carecircle.core.idnumbers import parse_resident_id
from carecircle.core.imports import (
    ImportColumn,
    Importer,
    RowInvalid,
    TranslatedTitle,
    choice_parser,
    parse_date,
    parse_int,
    parse_text,
)
from carecircle.persons.choices import DisabilityKind, HardshipKind, LivingArrangement
from carecircle.persons.forms import normalise_phone
from carecircle.persons.models import HardshipFlag, Person
from carecircle.persons.services import (
    age_rule_error,
    move_person,
    record_death,
    record_move_out,
    register_person,
)


def parse_id_number(value: Any) -> str:
    return parse_resident_id(parse_text(value)).number


def optional_choice(choices):
    """Blank means "leave as it is"; otherwise the Chinese label or the code."""
    parse = choice_parser(choices)

    def parser(value: Any) -> str | None:
        return None if parse_text(value) == "" else parse(value)

    return parser


def parse_flags(value: Any) -> list[str]:
    """困难类型: one or more labels separated by 、 , ， ; or ；."""
    text = parse_text(value)
    for separator in ",，;；":
        text = text.replace(separator, "、")
    by_label = {str(label): code for code, label in HardshipKind.choices}
    kinds: list[str] = []
    for part in filter(None, (p.strip() for p in text.split("、"))):
        if part not in by_label and part not in HardshipKind.values:
            allowed = "、".join(by_label)
            raise ValidationError(_("取值应为：%(a)s") % {"a": allowed})
        kinds.append(by_label.get(part, part))
    return kinds


def parse_grade(value: Any) -> int | None:
    grade = parse_int(value)
    if grade is not None and not 1 <= grade <= 4:
        raise ValidationError(_("残疾等级须为1至4级"))
    return grade


def parse_phone(value: Any) -> str:
    return normalise_phone(parse_text(value))


def _scoped(importer: Importer):
    return Person.objects.for_user(importer.user)


class PersonImporter(Importer):
    """Upsert of persons of one domain, keyed by the ID number's blind index.

    Titles and headers are plain Chinese strings: headers must match the uploaded file, and
    core's import view passes ``title`` to the audit log, which expects ``str``.
    """

    permission = "persons.import_person"
    domain = ""
    columns = (
        ImportColumn("姓名", "name", example="张三"),
        ImportColumn("身份证号", "id_number", parse_id_number, example="320685195005171234"),
        ImportColumn("村（社区）代码", "area", example="320685100200", note="12位统计用区划代码"),
        ImportColumn("住址", "address", required=False, example="钟涵村3组12号"),
        ImportColumn("联系电话", "phone", parse_phone, required=False, example="13812345678"),
    )

    def __init__(self, user):
        super().__init__(user)
        self._villages: dict[str, Area] | None = None
        self.today = timezone.localdate()

    def villages(self) -> dict[str, Area]:
        if self._villages is None:
            self._villages = {area.code: area for area in current_units_for(self.user)}
        return self._villages

    def row_key(self, values: dict[str, Any]) -> Any:
        return values["index"]

    def check_row(self, values: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, str] = {}
        if self.user.scope_domain not in (ScopeDomain.BOTH, self.domain):
            raise ValidationError(_("您的业务范围不包括此类人员"))
        name = values["name"]
        if len(name) > 50:
            errors["name"] = _("姓名不能超过50个字")
        parsed = parse_resident_id(values["id_number"])
        problem = age_rule_error(self.domain, parsed.birth_date, self.today)
        if problem:
            errors["id_number"] = problem
        area = self.villages().get(values["area"])
        if area is None:
            errors["area"] = _("区划代码%(c)s不是您管辖范围内的村（社区）") % {"c": values["area"]}
        if len(values.get("address", "")) > 200:
            errors["address"] = _("住址不能超过200个字")
        values["index"] = id_number_index(parsed.number)
        existing = Person.objects.filter(
            id_number_index=values["index"], death_date__isnull=True, merged_into__isnull=True
        ).first()
        if (
            existing is None
            and _scoped(self)
            .filter(id_number_index=values["index"], death_date__isnull=False)
            .exists()
        ):
            errors["id_number"] = _("该身份证号对应的人员已登记死亡")
        if existing is not None:
            if not _scoped(self).filter(pk=existing.pk).exists():
                errors["id_number"] = _("该身份证号已在其他辖区或机构登记，无法在此更新")
            elif existing.domain != self.domain:
                errors["id_number"] = _("该身份证号已登记为%(d)s") % {
                    "d": existing.get_domain_display()
                }
        if errors:
            raise RowInvalid(errors)
        values["existing"] = existing
        values["area_obj"] = area
        return values

    # Fields copied from the row when given (blank cells leave the stored value alone).
    optional_fields = ("address", "phone")

    def apply_row(self, values: dict[str, Any]) -> str:
        person: Person | None = values["existing"]
        area: Area = values["area_obj"]
        if person is None:
            person = Person(domain=self.domain, name=values["name"], area=area)
            for field in self.optional_fields:
                if values.get(field) not in (None, ""):
                    setattr(person, field, values[field])
            register_person(person, id_number=values["id_number"], on=self.today)
            self.apply_extras(person, values)
            return "created"
        person = Person.objects.select_for_update().get(pk=person.pk)
        changed = False
        if person.area_id != area.pk:
            move_person(person, area, self.today, values.get("address") or person.address)
            changed = True
        updates = {"name": values["name"]}
        for field in self.optional_fields:
            if values.get(field) not in (None, ""):
                updates[field] = values[field]
        dirty = [field for field, value in updates.items() if getattr(person, field) != value]
        if dirty:
            for field in dirty:
                setattr(person, field, updates[field])
            person.save(update_fields=[*dirty, "updated_at"])
            changed = True
        changed = self.apply_extras(person, values) or changed
        return "updated" if changed else "unchanged"

    def apply_extras(self, person: Person, values: dict[str, Any]) -> bool:
        return False


class ElderImporter(PersonImporter):
    title = TranslatedTitle(gettext_noop("老年人"))
    slug = "elders"
    domain = Domain.ELDERLY
    columns = (
        *PersonImporter.columns,
        ImportColumn(
            "居住状况",
            "living_arrangement",
            optional_choice(LivingArrangement),
            required=False,
            example="独居",
            note="独居、仅与配偶同住（空巢）、与子女或其他家人同住、入住机构",
        ),
        ImportColumn(
            "残疾类别", "disability_kind", optional_choice(DisabilityKind), required=False
        ),
        ImportColumn("残疾等级", "disability_grade", parse_grade, required=False, note="1至4"),
        ImportColumn(
            "困难类型",
            "flags",
            parse_flags,
            required=False,
            example="低保",
            note="可填多个，用“、”分隔；已有的标识不会重复添加",
        ),
    )
    optional_fields = (
        "address",
        "phone",
        "living_arrangement",
        "disability_kind",
        "disability_grade",
    )

    def check_row(self, values: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, str] = {}
        try:
            values = super().check_row(values)
        except RowInvalid as exc:
            errors.update(exc.errors)
        kind, grade = values.get("disability_kind"), values.get("disability_grade")
        if grade is not None and kind in (None, ""):
            errors["disability_grade"] = _("未填写残疾类别时不能填写残疾等级")
        if errors:
            raise RowInvalid(errors)
        return values

    def apply_extras(self, person: Person, values: dict[str, Any]) -> bool:
        added = False
        for kind in values.get("flags") or []:
            if person.hardship_flags.filter(kind=kind, valid_to__isnull=True).exists():
                continue
            HardshipFlag.objects.get_or_create(person=person, kind=kind, valid_from=self.today)
            added = True
        return added


class ChildImporter(PersonImporter):
    title = TranslatedTitle(gettext_noop("婴幼儿"))
    slug = "children"
    domain = Domain.CHILDCARE


DEATH = "death"
MOVE_OUT = "move_out"


class EventKind:
    choices = [(DEATH, "死亡"), (MOVE_OUT, "迁出")]
    values = [DEATH, MOVE_OUT]


class DeathMoveOutImporter(Importer):
    """Batch update from a list of deaths and move-outs (for example from the police registry)."""

    title = TranslatedTitle(gettext_noop("死亡/迁出批量更新"))
    slug = "deaths-moveouts"
    permission = "persons.change_person"
    columns = (
        ImportColumn("身份证号", "id_number", parse_id_number, example="320685195005171234"),
        ImportColumn("类型", "kind", choice_parser(EventKind), example="死亡", note="死亡或迁出"),
        ImportColumn("日期", "on", parse_date, example="2025-03-01", note="YYYY-MM-DD"),
    )

    def row_key(self, values: dict[str, Any]) -> Any:
        return values["person"].pk

    def check_row(self, values: dict[str, Any]) -> dict[str, Any]:
        index = id_number_index(values["id_number"])
        candidates = _scoped(self).filter(id_number_index=index, merged_into__isnull=True)
        person = candidates.order_by(F("death_date").asc(nulls_first=True), "-created_at").first()
        if person is None:
            raise RowInvalid({"id_number": _("在您的管辖范围内未找到该身份证号的人员")})
        on: dt.date = values["on"]
        kind = values["kind"]
        errors: dict[str, str] = {}
        if on > timezone.localdate():
            errors["on"] = _("日期不能晚于今天")
        elif on < person.birth_date:
            errors["on"] = _("日期不能早于出生日期")
        if kind == DEATH and person.death_date not in (None, on):
            errors["on"] = _("已登记死亡日期%(d)s，与文件不一致") % {"d": person.death_date}
        if kind == MOVE_OUT:
            if person.death_date is not None:
                errors["kind"] = _("该人员已登记死亡，不能登记迁出")
            elif person.moved_out_on not in (None, on):
                errors["on"] = _("已登记迁出日期%(d)s，与文件不一致") % {"d": person.moved_out_on}
        if errors:
            raise RowInvalid(errors)
        values["person"] = person
        return values

    def apply_row(self, values: dict[str, Any]) -> str:
        person = Person.objects.select_for_update().get(pk=values["person"].pk)
        if values["kind"] == DEATH:
            changed = record_death(person, values["on"])
        else:
            changed = record_move_out(person, values["on"])
        if not changed:
            return "unchanged"
        # One entry per person changed; rolled back with the import if a later row fails.
        record(
            None,
            AuditAction.BATCH_UPDATE,
            obj=person,
            user=self.user,
            kind=values["kind"],
            on=values["on"].isoformat(),
        )
        return "updated"
