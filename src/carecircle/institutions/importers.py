"""Excel ledgers (台账) of providers and staff: all-or-nothing, idempotent upserts (R16, R28).

Column headers are the file format rather than screen text, so they stay in Chinese whatever the
UI language. An empty optional cell means "leave as is": re-importing a file, or a file with fewer
columns, changes nothing that the file does not state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from carecircle.areas.models import Area
from carecircle.core.fields import id_number_index
from carecircle.core.idnumbers import normalise_credit_code, parse_resident_id
from carecircle.core.imports import (
    ImportColumn,
    Importer,
    RowInvalid,
    TranslatedTitle,
    choice_parser,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
    parse_text,
)
from carecircle.institutions import services
from carecircle.institutions.choices import (
    FilingStatus,
    Ownership,
    ProviderKind,
    ProviderStatus,
    ServiceMode,
    SkillLevel,
    StaffRole,
)
from carecircle.institutions.models import CapacityRecord, Provider, Staff

CAPACITY_NOTE = "Excel导入"


def _empty(value: Any) -> bool:
    return parse_text(value) == ""


def optional(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """An empty cell gives ``None`` ("leave as is") instead of the parser's empty value."""

    def parse_optional(value: Any) -> Any:
        return None if _empty(value) else parse(value)

    return parse_optional


def text(max_length: int) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        result = parse_text(value)
        if len(result) > max_length:
            raise ValidationError(_("不能超过%(n)d个字符") % {"n": max_length})
        return result

    return parse


def parse_credit_code(value: Any) -> str:
    raw = parse_text(value)
    return normalise_credit_code(raw) if raw else ""


def parse_id_number(value: Any) -> str:
    return parse_resident_id(parse_text(value)).number


def parse_service_modes(value: Any) -> list[str]:
    parse_one = choice_parser(ServiceMode)
    parts = [p for p in parse_text(value).replace("，", "、").replace(",", "、").split("、") if p]
    modes = [parse_one(part.strip()) for part in parts]
    return [mode for mode in ServiceMode.values if mode in modes]


def _changed(obj, values: dict[str, Any], names) -> list[str]:
    """Set the stated (non-empty) values on ``obj``; return the names that actually changed."""
    changed = []
    for name in names:
        value = values.get(name)
        if value is None:
            continue
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def _save(obj, user) -> None:
    obj._history_user = user
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise ValidationError(exc.messages) from exc
    obj.save()


class ProviderImporter(Importer):
    title = TranslatedTitle(gettext_noop("服务机构"))
    slug = "providers"
    permission = "institutions.import_provider"

    ATTRIBUTES = (
        "address",
        "phone",
        "legal_representative",
        "status",
        "opened_on",
        "closed_on",
        "houses_disabled_extreme_poor",
        "signed_hospital",
        "has_sprinklers",
        "has_smoke_detectors",
        "has_safety_system",
        "filing_status",
        "filed_on",
        "service_modes",
        "monthly_fee",
    )
    columns = (
        ImportColumn("机构名称", "name", text(150), example="海安市示例养老院"),
        ImportColumn(
            "机构类型",
            "kind",
            choice_parser(ProviderKind),
            example="民办养老机构",
            note="、".join(str(label) for label in ProviderKind.labels),
        ),
        ImportColumn("性质", "ownership", choice_parser(Ownership), example="民办"),
        ImportColumn(
            "所在区划代码",
            "area_code",
            parse_text,
            example="320685100200",
            note="统计用区划代码：9位镇（街道）或12位村（社区），须在本人管辖范围内",
        ),
        ImportColumn(
            "统一社会信用代码",
            "credit_code",
            optional(parse_credit_code),
            required=False,
            note="18位；填写后按此代码识别机构，否则按区划和名称识别",
        ),
        ImportColumn("地址", "address", optional(text(200)), required=False),
        ImportColumn("联系电话", "phone", optional(text(30)), required=False),
        ImportColumn("法定代表人", "legal_representative", optional(text(50)), required=False),
        ImportColumn(
            "状态", "status", optional(choice_parser(ProviderStatus)), required=False, note="运营中"
        ),
        ImportColumn("开业日期", "opened_on", parse_date, required=False, example="2018-06-01"),
        ImportColumn("关闭日期", "closed_on", parse_date, required=False),
        ImportColumn(
            "收住失能失智特困人员",
            "houses_disabled_extreme_poor",
            optional(parse_bool),
            required=False,
            note="是/否",
        ),
        ImportColumn("签约医疗机构", "signed_hospital", optional(text(150)), required=False),
        ImportColumn("自动喷淋", "has_sprinklers", optional(parse_bool), required=False),
        ImportColumn("烟感报警", "has_smoke_detectors", optional(parse_bool), required=False),
        ImportColumn("安全管理制度", "has_safety_system", optional(parse_bool), required=False),
        ImportColumn(
            "备案状态", "filing_status", optional(choice_parser(FilingStatus)), required=False
        ),
        ImportColumn("备案日期", "filed_on", parse_date, required=False),
        ImportColumn(
            "服务方式",
            "service_modes",
            optional(parse_service_modes),
            required=False,
            note="多个用顿号分隔：全日托、半日托、计时托、临时托",
        ),
        ImportColumn("月收费（元）", "monthly_fee", parse_decimal, required=False),
        ImportColumn("床位总数", "beds_total", parse_int, required=False),
        ImportColumn("护理型床位", "beds_nursing", parse_int, required=False),
        ImportColumn("认知症照护床位", "beds_dementia", parse_int, required=False),
        ImportColumn("托位总数", "places_total", parse_int, required=False),
        ImportColumn("普惠托位", "places_affordable", parse_int, required=False),
        ImportColumn(
            "容量生效日期",
            "capacity_from",
            parse_date,
            required=False,
            note="床位/托位数的生效日期，留空为导入当天；与现行数相同时不新增记录",
        ),
    )

    def __init__(self, user):
        super().__init__(user)
        self._areas: dict[str, Area] | None = None
        self._blocked: dict | None = None
        self.today = timezone.localdate()

    @property
    def areas(self) -> dict[str, Area]:
        if self._areas is None:
            self._areas = {area.code: area for area in services.scoped_areas(self.user)}
        return self._areas

    @property
    def blocked(self) -> dict:
        if self._blocked is None:
            self._blocked = services.blocking_credit_codes()
        return self._blocked

    def row_key(self, values):
        if values.get("credit_code"):
            return ("code", values["credit_code"])
        return ("name", values["area_code"], values["name"])

    def _existing(self, values, area: Area) -> Provider | None:
        code = values.get("credit_code")
        if code:
            found = Provider.objects.filter(credit_code=code).first()
            if found is not None:
                if not Provider.objects.for_user(self.user).filter(pk=found.pk).exists():
                    raise RowInvalid({"credit_code": _("该统一社会信用代码已在其他辖区登记")})
                return found
        found = Provider.objects.filter(area=area, name=values["name"]).first()
        if found is None:
            return None
        if code and found.credit_code and found.credit_code != code:
            raise RowInvalid({"name": _("该区划已有同名机构，且统一社会信用代码不同")})
        if not Provider.objects.for_user(self.user).filter(pk=found.pk).exists():
            raise RowInvalid({"name": _("该区划已有同名机构")})
        return found

    def check_row(self, values):
        area = self.areas.get(values["area_code"])
        if area is None:
            raise RowInvalid({"area_code": _("区划代码不存在或不在您的管辖范围内")})
        values["area"] = area
        if not services.domain_in_scope(Provider.domain_of(values["kind"]), self.user):
            raise RowInvalid({"kind": _("该机构类型不在您的业务范围内")})
        existing = self._existing(values, area)
        values["provider_pk"] = existing.pk if existing else None
        code = values.get("credit_code")
        if code and code in self.blocked and (existing is None or existing.credit_code != code):
            raise RowInvalid(
                {"credit_code": services.organisation_block_message(self.blocked[code])}
            )
        opened = values.get("opened_on") or (existing.opened_on if existing else None)
        closed = values.get("closed_on") or (existing.closed_on if existing else None)
        if opened and closed and closed < opened:
            raise RowInvalid({"closed_on": _("关闭日期不能早于开业日期")})
        counts = self._counts(values, existing)
        if counts is not None:
            values["counts"] = counts
            if counts["beds_nursing"] > counts["beds_total"]:
                raise RowInvalid({"beds_nursing": _("护理型床位不能超过床位总数")})
            if counts["beds_dementia"] > counts["beds_total"]:
                raise RowInvalid({"beds_dementia": _("认知症照护床位不能超过床位总数")})
            if counts["places_affordable"] > counts["places_total"]:
                raise RowInvalid({"places_affordable": _("普惠托位不能超过托位总数")})
        return values

    def _counts(self, values, existing: Provider | None) -> dict[str, int] | None:
        stated = {
            n: values.get(n) for n in CapacityRecord.COUNT_FIELDS if values.get(n) is not None
        }
        if not stated:
            return None
        on = values.get("capacity_from") or self.today
        current = existing.capacity_on(on) if existing else None
        counts = {n: getattr(current, n) if current else 0 for n in CapacityRecord.COUNT_FIELDS}
        counts.update(stated)
        return counts

    def apply_row(self, values):
        created = values["provider_pk"] is None
        if created:
            provider = Provider(
                name=values["name"],
                kind=values["kind"],
                ownership=values["ownership"],
                area=values["area"],
                credit_code=values.get("credit_code") or "",
            )
            _changed(provider, values, self.ATTRIBUTES)
            changed = True
        else:
            provider = Provider.objects.get(pk=values["provider_pk"])
            names = ("name", "kind", "ownership", "area", "credit_code", *self.ATTRIBUTES)
            changed = bool(_changed(provider, values, names))
        if changed:
            provider.domain = Provider.domain_of(provider.kind)
            _save(provider, self.user)
        capacity_changed = self._apply_capacity(provider, values)
        if created:
            return "created"
        return "updated" if changed or capacity_changed else "unchanged"

    def _apply_capacity(self, provider: Provider, values) -> bool:
        counts = values.get("counts")
        if counts is None:
            return False
        on = values.get("capacity_from") or self.today
        current = provider.capacity_on(on)
        if not services.capacity_differs(current, counts):
            return False
        if current is not None and current.valid_from == on:
            record = current
            for name, value in counts.items():
                setattr(record, name, value)
        else:
            record = CapacityRecord(provider=provider, valid_from=on, note=CAPACITY_NOTE, **counts)
        _save(record, self.user)
        return True


class StaffImporter(Importer):
    title = TranslatedTitle(gettext_noop("从业人员"))
    slug = "staff"
    permission = "institutions.add_staff"

    ATTRIBUTES = ("name", "phone", "role", "skill_level", "hired_on", "left_on")
    columns = (
        ImportColumn(
            "机构统一社会信用代码",
            "provider_code",
            optional(parse_credit_code),
            required=False,
            note="与“机构名称”至少填一项；机构用户可都不填，默认为本机构",
        ),
        ImportColumn("机构名称", "provider_name", optional(parse_text), required=False),
        ImportColumn("姓名", "name", text(50), example="王秀英"),
        ImportColumn(
            "身份证号",
            "id_number",
            parse_id_number,
            note="18位居民身份证号，请将单元格设为文本格式",
        ),
        ImportColumn("手机号", "phone", optional(text(20)), required=False),
        ImportColumn(
            "岗位",
            "role",
            choice_parser(StaffRole),
            example="养老护理员",
            note="、".join(str(label) for label in StaffRole.labels),
        ),
        ImportColumn(
            "技能等级",
            "skill_level",
            optional(choice_parser(SkillLevel)),
            required=False,
            note="、".join(str(label) for label in SkillLevel.labels),
        ),
        ImportColumn("入职日期", "hired_on", parse_date, example="2022-03-01"),
        ImportColumn("离职日期", "left_on", parse_date, required=False),
    )

    def __init__(self, user):
        super().__init__(user)
        self._providers: list[Provider] | None = None
        self._blocked: dict | None = None

    @property
    def providers(self) -> list[Provider]:
        if self._providers is None:
            self._providers = list(Provider.objects.for_user(self.user))
        return self._providers

    @property
    def blocked(self) -> dict:
        if self._blocked is None:
            self._blocked = services.blocking_person_indexes()
        return self._blocked

    def row_key(self, values):
        return (values["provider"].pk, values["index"])

    def _provider(self, values) -> Provider:
        code, name = values.get("provider_code"), values.get("provider_name")
        if code:
            found = [p for p in self.providers if p.credit_code == code]
            if not found:
                raise RowInvalid(
                    {"provider_code": _("未找到该信用代码的机构，或不在您的管辖范围内")}
                )
            return found[0]
        if name:
            found = [p for p in self.providers if p.name == name]
            if not found:
                raise RowInvalid({"provider_name": _("未找到该机构，或不在您的管辖范围内")})
            if len(found) > 1:
                raise RowInvalid({"provider_name": _("机构名称不唯一，请填写机构统一社会信用代码")})
            return found[0]
        if self.user.institution_id and self.providers:
            return self.providers[0]
        raise RowInvalid({"provider_name": _("请填写机构名称或机构统一社会信用代码")})

    def check_row(self, values):
        provider = self._provider(values)
        values["provider"] = provider
        index = id_number_index(values["id_number"])
        values["index"] = index
        hired, left = values["hired_on"], values.get("left_on")
        candidates = Staff.objects.filter(provider=provider, id_number_index=index).order_by(
            "-hired_on", "-pk"
        )
        existing = next(
            (s for s in candidates if not (s.left_on and hired > s.left_on)),
            None,
        )
        values["staff_pk"] = existing.pk if existing else None
        if existing is None and index in self.blocked:
            raise RowInvalid({"id_number": services.person_block_message(self.blocked[index])})
        left = left or (existing.left_on if existing else None)
        if left and left < hired:
            raise RowInvalid({"left_on": _("离职日期不能早于入职日期")})
        return values

    def apply_row(self, values):
        if values["staff_pk"] is None:
            staff = Staff(provider=values["provider"])
            staff.set_id_number(values["id_number"])
            _changed(staff, values, self.ATTRIBUTES)
            staff.credit_status = services.credit_status_for(staff.id_number_index)
            _save(staff, self.user)
            return "created"
        staff = Staff.objects.get(pk=values["staff_pk"])
        if not _changed(staff, values, self.ATTRIBUTES):
            return "unchanged"
        _save(staff, self.user)
        return "updated"
