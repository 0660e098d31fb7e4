"""Exchanging values with DHIS2: dataValueSets JSON and ADX XML, out and in.

Export writes the values that can be given (never n/a ones: an n/a reason is not a value DHIS2
could store) of an area's subtree for one or more periods. Import takes values of reported
indicators and enters them through :func:`reporting.save_report` (submitted for approval), one
value at a time, so every value either goes in or comes back as a conflict with its reason:

* unknown data element, org unit or period, non-numeric value, org unit outside the user's area;
* an indicator the platform computes (unless the file carries exactly the computed value);
* an approved (locked) value that differs from the file;
* anything ``save_report`` refuses (annual indicator given a month, future or closed period,
  value out of range, indicator of another department).

A value already present (submitted or approved) with the same number is ignored, so importing a
file twice changes nothing. ``dry_run`` runs everything in a transaction that is rolled back.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET  # noqa: S405 - only for its types; parsing is defusedxml's
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carecircle.areas.models import Area
from carecircle.audit.choices import AuditAction
from carecircle.audit.services import record
from carecircle.indicators.choices import ReportState
from carecircle.indicators.models import Indicator, IndicatorValue, ReportedValue
from carecircle.indicators.periods import PeriodError, parse, parse_adx
from carecircle.indicators.reporting import (
    LOCKED,
    UNCHANGED,
    classify_incoming,
    reportable,
    save_report,
)

DATASET = "CARECIRCLE"
ADX_NS = "urn:ihe:qrph:adx:2015"
COMPUTED_BY = "carecircle"
FORMATS = ("dhis2-json", "adx")
CONTENT_TYPES = {"dhis2-json": "application/json", "adx": "application/adx+xml"}
EXTENSIONS = {"dhis2-json": "json", "adx": "xml"}
MAX_VALUES = 100_000
COMMENT_LENGTH = 500


class ExchangeError(ValueError):
    """The input is not a dataValueSet or ADX document at all (nothing was read)."""


# Export ------------------------------------------------------------------------------------------


def format_value(value: Decimal) -> str:
    """A decimal as DHIS2 writes numbers: no exponent, no trailing zeros (``75``, ``12.5``)."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def export_values(area: Area, periods: Iterable[str], user=None):
    """The values of ``area`` and every unit below it for ``periods`` that have a number.

    With ``user`` the rows are also limited to that user's scope (callers check ``area`` first).
    """
    codes = [parse(p).code for p in periods]
    qs = IndicatorValue.objects.for_user(user) if user is not None else IndicatorValue.objects
    return (
        qs.filter(area__path__startswith=area.path, period__in=codes, value__isnull=False)
        .select_related("indicator", "area")
        .order_by("area__code", "period", "indicator__code")
    )


@dataclass
class ExportRow:
    data_element: str
    period: str
    org_unit: str
    value: str
    stored_by: str
    last_updated: str
    comment: str = ""


def export_rows(values) -> list[ExportRow]:
    """Rows to write; a reported value carries its reporter and comment."""
    values = list(values)
    reported = {}
    keys = [(v.indicator_id, v.area_id, v.period) for v in values if v.source == "reported"]
    if keys:
        reports = ReportedValue.objects.filter(
            indicator_id__in={k[0] for k in keys},
            area_id__in={k[1] for k in keys},
            period__in={k[2] for k in keys},
        ).select_related("entered_by")
        reported = {(r.indicator_id, r.area_id, r.period): r for r in reports}
    rows = []
    for v in values:
        report = reported.get((v.indicator_id, v.area_id, v.period))
        stored_by = COMPUTED_BY
        comment = ""
        if report is not None:
            stored_by = report.entered_by.username if report.entered_by_id else ""
            comment = report.comment
        rows.append(
            ExportRow(
                data_element=v.indicator.code,
                period=v.period,
                org_unit=v.area.code,
                value=format_value(v.value),
                stored_by=stored_by,
                last_updated=v.computed_at.isoformat() if v.computed_at else "",
                comment=comment,
            )
        )
    return rows


def to_dhis2_json(values) -> bytes:
    """A DHIS2 ``dataValueSets`` document."""
    data_values = []
    for row in export_rows(values):
        item = {
            "dataElement": row.data_element,
            "period": row.period,
            "orgUnit": row.org_unit,
            "value": row.value,
            "storedBy": row.stored_by,
            "lastUpdated": row.last_updated,
        }
        if row.comment:
            item["comment"] = row.comment
        data_values.append(item)
    document = {"dataSet": DATASET, "dataValues": data_values}
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def to_adx(values) -> bytes:
    """An ADX document: one ``group`` per org unit and period."""
    ET.register_namespace("", ADX_NS)
    root = ET.Element(
        f"{{{ADX_NS}}}adx", exported=timezone.now().replace(microsecond=0).isoformat()
    )
    groups: dict[tuple[str, str], ET.Element] = {}
    for row in export_rows(values):
        key = (row.org_unit, row.period)
        group = groups.get(key)
        if group is None:
            group = ET.SubElement(
                root,
                f"{{{ADX_NS}}}group",
                orgUnit=row.org_unit,
                period=parse(row.period).adx(),
                dataSet=DATASET,
            )
            groups[key] = group
        element = ET.SubElement(
            group, f"{{{ADX_NS}}}dataValue", dataElement=row.data_element, value=row.value
        )
        if row.comment:
            ET.SubElement(element, f"{{{ADX_NS}}}annotation").text = row.comment
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def export_document(fmt: str, values) -> bytes:
    if fmt == "dhis2-json":
        return to_dhis2_json(values)
    if fmt == "adx":
        return to_adx(values)
    raise ExchangeError(_("不支持的格式“%(fmt)s”，应为 dhis2-json 或 adx") % {"fmt": fmt})


def export_filename(fmt: str, area: Area, period: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return f"indicators-{area.code}-{period}-{stamp}.{EXTENSIONS[fmt]}"


# Reading files ----------------------------------------------------------------------------------


@dataclass
class ImportLine:
    """One value as the file gives it (text, unchecked)."""

    index: int
    data_element: str
    period: str  # as written: DHIS2 code, or ADX start/duration
    org_unit: str
    value: str
    comment: str = ""
    adx: bool = False
    deleted: bool = False


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value).strip()


def read_dhis2_json(data: bytes | str | dict) -> list[ImportLine]:
    """The values of a dataValueSet (set-level ``period``/``orgUnit`` apply to every value)."""
    if isinstance(data, dict):
        document = data
    else:
        try:
            document = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ExchangeError(_("不是有效的 JSON 文件：%(error)s") % {"error": exc}) from exc
    if not isinstance(document, dict) or not isinstance(document.get("dataValues"), list):
        raise ExchangeError(_("不是 DHIS2 dataValueSets 文件：缺少 dataValues 列表"))
    items = document["dataValues"]
    if len(items) > MAX_VALUES:
        raise ExchangeError(_("数据值过多（最多 %(max)s 条）") % {"max": MAX_VALUES})
    lines = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ExchangeError(_("第 %(n)s 个数据值不是对象") % {"n": index})
        lines.append(
            ImportLine(
                index=index,
                data_element=_text(item.get("dataElement")),
                period=_text(item.get("period", document.get("period"))),
                org_unit=_text(item.get("orgUnit", document.get("orgUnit"))),
                value=_text(item.get("value")),
                comment=_text(item.get("comment"))[:COMMENT_LENGTH],
                deleted=item.get("deleted") in (True, "true"),
            )
        )
    return lines


def _read_xml(data: bytes) -> ET.Element:
    # ADX has no DTD: any DOCTYPE or entity declaration (what XML bombs and external-entity
    # attacks need) is refused by the parser itself, whatever the file's encoding.
    try:
        return defused_fromstring(data, forbid_dtd=True, forbid_entities=True)
    except DefusedXmlException as exc:
        raise ExchangeError(_("ADX 文件不能包含 DOCTYPE 或实体声明")) from exc
    except ET.ParseError as exc:
        raise ExchangeError(_("不是有效的 XML 文件：%(error)s") % {"error": exc}) from exc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_adx(data: bytes | str) -> list[ImportLine]:
    """The values of an ADX document (``adx`` → ``group`` → ``dataValue``)."""
    root = _read_xml(data.encode("utf-8") if isinstance(data, str) else data)
    if _local(root.tag) != "adx" or root.tag not in (f"{{{ADX_NS}}}adx", "adx"):
        raise ExchangeError(_("不是 ADX 文件：根元素应为 %(ns)s 命名空间的 adx") % {"ns": ADX_NS})
    lines = []
    index = 0
    for group in root:
        if _local(group.tag) != "group":
            continue
        for element in group:
            if _local(element.tag) != "dataValue":
                continue
            index += 1
            if index > MAX_VALUES:
                raise ExchangeError(_("数据值过多（最多 %(max)s 条）") % {"max": MAX_VALUES})
            annotation = next((c for c in element if _local(c.tag) == "annotation"), None)
            lines.append(
                ImportLine(
                    index=index,
                    data_element=_text(element.get("dataElement")),
                    period=_text(group.get("period")),
                    org_unit=_text(group.get("orgUnit")),
                    value=_text(element.get("value")),
                    comment=_text(annotation.text if annotation is not None else "")[
                        :COMMENT_LENGTH
                    ],
                    adx=True,
                )
            )
    return lines


def read_document(data: bytes | str) -> list[ImportLine]:
    """A dataValueSets JSON or ADX document, told apart by its first character."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    head = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head == b"<":
        return read_adx(raw)
    if head == b"{":
        return read_dhis2_json(raw.decode("utf-8-sig"))
    raise ExchangeError(_("无法识别的文件：应为 DHIS2 dataValueSets JSON 或 ADX XML"))


# Import -----------------------------------------------------------------------------------------

IMPORTED, UPDATED, IGNORED, CONFLICT = "imported", "updated", "ignored", "conflict"


@dataclass
class Conflict:
    index: int
    data_element: str
    org_unit: str
    period: str
    value: str
    reason: str


@dataclass
class ImportSummary:
    dry_run: bool = False
    imported: int = 0
    updated: int = 0
    ignored: int = 0
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.imported + self.updated + self.ignored + len(self.conflicts)

    @property
    def status(self) -> str:
        """DHIS2's words: success, warning (some conflicts) or error (nothing went in)."""
        if not self.conflicts:
            return "success"
        return "warning" if self.imported + self.updated + self.ignored else "error"

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "dry_run": self.dry_run,
            "imported": self.imported,
            "updated": self.updated,
            "ignored": self.ignored,
            "conflicts": [asdict(c) for c in self.conflicts],
        }

    def describe(self) -> str:
        head = _("试运行（未写入）") if self.dry_run else _("导入完成")
        lines = [
            _("%(head)s：新增 %(imported)s，更新 %(updated)s，忽略 %(ignored)s，冲突 %(conflicts)s")
            % {
                "head": head,
                "imported": self.imported,
                "updated": self.updated,
                "ignored": self.ignored,
                "conflicts": len(self.conflicts),
            }
        ]
        for c in self.conflicts:
            lines.append(
                f"  #{c.index} {c.data_element or '-'} {c.org_unit or '-'} {c.period or '-'} "
                f"{c.value or '-'}: {c.reason}"
            )
        return "\n".join(lines)


class _Refused(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _messages(exc: ValidationError) -> str:
    return "；".join(str(m) for m in exc.messages)


class ValueImporter:
    """Checks and enters each line for ``user`` (permissions, scope and ``entered_by``)."""

    def __init__(self, user):
        self.user = user
        self.indicators = Indicator.objects.in_bulk(field_name="code")
        self.areas: dict[str, Area | None] = {}
        self.seen: set[tuple[str, str, str]] = set()
        scope = getattr(user, "scope_area", None)
        self.scope_path = scope.path if scope is not None else None

    def area(self, code: str) -> Area:
        if code not in self.areas:
            self.areas[code] = Area.objects.filter(code=code).first()
        area = self.areas[code]
        if area is None:
            raise _Refused(_("组织机构代码“%(code)s”不存在") % {"code": code})
        if self.scope_path is None or not area.path.startswith(self.scope_path):
            raise _Refused(_("组织机构“%(code)s”不在您的管辖范围内") % {"code": code})
        return area

    def period(self, line: ImportLine) -> str:
        try:
            return (parse_adx(line.period) if line.adx else parse(line.period)).code
        except PeriodError as exc:
            raise _Refused(str(exc)) from exc

    @staticmethod
    def number(text: str) -> Decimal:
        try:
            value = Decimal(text.replace(",", ""))
        except InvalidOperation as exc:
            raise _Refused(_("数值“%(value)s”不是数字") % {"value": text[:40]}) from exc
        if not value.is_finite():
            raise _Refused(_("数值“%(value)s”不是数字") % {"value": text[:40]})
        return value

    def enter(self, line: ImportLine) -> str:
        """The outcome of one line; raises ``_Refused`` for a conflict."""
        if line.deleted:
            raise _Refused(_("不支持通过导入删除数值"))
        for text, what in (
            (line.data_element, _("数据元")),
            (line.period, _("期间")),
            (line.org_unit, _("组织机构")),
            (line.value, _("数值")),
        ):
            if not text:
                raise _Refused(_("缺少%(what)s") % {"what": what})
        indicator = self.indicators.get(line.data_element)
        if indicator is None:
            raise _Refused(_("数据元“%(code)s”不是本平台的指标") % {"code": line.data_element})
        period = self.period(line)
        area = self.area(line.org_unit)
        value = self.number(line.value)
        key = (indicator.code, area.code, period)
        if key in self.seen:
            raise _Refused(_("同一指标、组织机构和期间在文件中重复出现"))
        self.seen.add(key)
        if not reportable(indicator):
            current = (
                IndicatorValue.objects.filter(indicator=indicator, area=area, period=period)
                .values_list("value", flat=True)
                .first()
            )
            if current is not None and current == value:
                return IGNORED
            raise _Refused(_("该指标由系统根据登记数据计算，不能导入"))
        report = ReportedValue.objects.filter(indicator=indicator, area=area, period=period).first()
        present = (ReportState.SUBMITTED, ReportState.APPROVED)
        verdict = classify_incoming(report, value, settled=present)
        if verdict == UNCHANGED:
            return IGNORED
        if verdict == LOCKED:
            raise _Refused(
                _("该值已审核锁定（现值 %(current)s），需先解锁才能修改")
                % {"current": format_value(report.value)}
            )
        try:
            result = save_report(
                self.user, indicator, area, period, value, comment=line.comment, submit=True
            )
        except PermissionDenied as exc:
            raise _Refused(_("您无权填报该指标")) from exc
        except ValidationError as exc:
            raise _Refused(_messages(exc)) from exc
        return {"created": IMPORTED, "updated": UPDATED}.get(result.outcome, IGNORED)


def import_lines(
    user, lines: list[ImportLine], *, dry_run: bool = False, request=None, label: str = ""
) -> ImportSummary:
    """Enter ``lines`` as ``user``; with ``dry_run`` nothing is kept. Real imports are audited."""
    summary = ImportSummary(dry_run=dry_run)
    with transaction.atomic():
        importer = ValueImporter(user)
        counts = {IMPORTED: 0, UPDATED: 0, IGNORED: 0}
        for line in lines:
            try:
                with transaction.atomic():
                    counts[importer.enter(line)] += 1
            except _Refused as refused:
                summary.conflicts.append(
                    Conflict(
                        index=line.index,
                        data_element=line.data_element,
                        org_unit=line.org_unit,
                        period=line.period,
                        value=line.value[:40],
                        reason=refused.reason,
                    )
                )
        summary.imported, summary.updated, summary.ignored = (
            counts[IMPORTED],
            counts[UPDATED],
            counts[IGNORED],
        )
        if dry_run:
            transaction.set_rollback(True)
    if not dry_run:
        record(
            request,
            AuditAction.IMPORT,
            user=user,
            label=label or _("指标数据交换导入"),
            rows=summary.total,
            created=summary.imported,
            updated=summary.updated,
            ignored=summary.ignored,
            errors=len(summary.conflicts),
        )
    return summary


def import_document(user, data: bytes | str | dict, **kwargs) -> ImportSummary:
    """Read a dataValueSets JSON (bytes, text or parsed) or ADX document and import it."""
    lines = read_dhis2_json(data) if isinstance(data, dict) else read_document(data)
    return import_lines(user, lines, **kwargs)


def record_export(
    request, *, fmt: str, area: Area, periods: list[str], rows: int, user=None, label: str = ""
):
    """Every export is audited (R18), from the web, the API or the console."""
    record(
        request,
        AuditAction.EXPORT,
        user=user,
        username="" if (user or request) else "console",
        label=label or _("指标数据交换导出"),
        rows=rows,
        filters=f"format={fmt}&area={area.code}&period={','.join(periods)}",
    )
