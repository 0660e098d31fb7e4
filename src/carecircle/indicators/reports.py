"""The leading-group report of an area and period: scorecard, alerts and a table by unit.

The same content goes out as an xlsx workbook (openpyxl) and as a landscape PDF (ReportLab with
its built-in CID font ``STSong-Light``, so Chinese renders without shipping or downloading fonts).
Everything is read through :mod:`queries`, so the report shows the figures the screens show.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from carecircle.areas.models import Area
from carecircle.core.xlsx import HEADER_FILL, HEADER_FONT, XLSX_CONTENT_TYPE
from carecircle.indicators.choices import ALERT_STATUSES, Status, TargetOp
from carecircle.indicators.hierarchy import hierarchy_on
from carecircle.indicators.models import IndicatorValue
from carecircle.indicators.periods import Period, parse, window
from carecircle.indicators.queries import ScoreRow, scorecard
from carecircle.indicators.views.common import unit_label

FORMATS = ("xlsx", "pdf")
CONTENT_TYPES = {"xlsx": XLSX_CONTENT_TYPE, "pdf": "application/pdf"}
PDF_FONT = "STSong-Light"

# Status colours (background of status cells): green, amber, red, grey.
STATUS_COLOURS = {
    Status.ACHIEVED: "C6EFCE",
    Status.ON_TRACK: "C6EFCE",
    Status.NEEDS_ACCELERATION: "FFEB9C",
    Status.OFF_TRACK: "FFC7CE",
    Status.DETERIORATING: "FFC7CE",
}
NEUTRAL_COLOUR = "EDEDED"


def status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, NEUTRAL_COLOUR)


def status_label(status: str) -> str:
    try:
        return str(Status(status).label)
    except ValueError:
        return status


def row_status(row: ScoreRow) -> str:
    """The status of a scorecard row; without a value, why (no data source, not reported)."""
    if row.value is None:
        if row.state == "no_source":
            return _("尚无数据来源")
        if row.state == "reported":
            return _("尚未填报")
        return _("尚未计算")
    return status_label(row.status)


def number(value: Decimal | None, places: int = 2) -> str:
    """A figure for reading: at most ``places`` decimals, no trailing zeros; empty if none."""
    if value is None:
        return ""
    text = f"{Decimal(value):.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def signed(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = number(value)
    return f"+{text}" if value > 0 else text


def target_text(row: ScoreRow, policy_target: bool = False) -> str:
    """The target the value is measured against; without a value, the policy's 2025 target
    (``policy_target``, for the root area, whose target it is)."""
    if row.value is not None:
        value = row.value.target
    else:
        value = row.indicator.target_value if policy_target else None
    if value is None:
        return ""
    return f"{TargetOp(row.indicator.target_op).label}{number(value)}"


def reason(row: ScoreRow) -> str:
    """Why there is no value (n/a reason, no data source yet, not reported yet)."""
    if row.reason:
        return str(row.reason)
    if row.state == "no_source":
        return _("暂无数据来源")
    return ""


@dataclass
class LeadingReport:
    """What the leading group reads about ``area`` in ``period``."""

    area: Area
    period: Period
    rows: list[ScoreRow]
    units: list[Area]
    grid: dict[tuple[int, int], IndicatorValue]
    generated_at: dt.datetime = field(default_factory=timezone.now)

    @property
    def title(self) -> str:
        return _("%(area)s %(period)s 一老一小指标监测报告") % {
            "area": self.area.name,
            "period": self.period.label(),
        }

    @property
    def is_root(self) -> bool:
        return self.area.code == settings.CARECIRCLE_ROOT_AREA

    def target(self, row: ScoreRow) -> str:
        return target_text(row, self.is_root)

    @property
    def alerts(self) -> list[ScoreRow]:
        """Binding indicators that are not on track."""
        return [r for r in self.rows if r.indicator.is_binding and r.status in ALERT_STATUSES]

    @property
    def units_title(self) -> str:
        return _("分镇（街道）情况") if self.area.level == "county" else _("分下级区划情况")

    def counts(self) -> dict[str, int]:
        """How many indicators show each status (labels, in order of first appearance)."""
        out: dict[str, int] = {}
        for row in self.rows:
            label = row_status(row)
            out[label] = out.get(label, 0) + 1
        return out

    def filename(self, fmt: str) -> str:
        stamp = timezone.localtime(self.generated_at).strftime("%Y%m%d-%H%M%S")
        return f"indicators-report-{self.area.code}-{self.period.code}-{stamp}.{fmt}"


def child_units(area: Area, period: Period) -> list[Area]:
    """The units directly below ``area`` in the hierarchy valid on the period's snapshot day."""
    h = hierarchy_on(window(period).on)
    child_ids = [a for a, p in h.parent.items() if p == area.pk and a in h.valid]
    return list(Area.objects.filter(pk__in=child_ids).order_by("code"))


def build(area: Area, period: Period | str) -> LeadingReport:
    period = parse(period) if isinstance(period, str) else period
    rows = scorecard(area, period)
    units = child_units(area, period)
    grid = {
        (v.indicator_id, v.area_id): v
        for v in IndicatorValue.objects.filter(
            period=period.code, area_id__in=[u.pk for u in units]
        )
    }
    return LeadingReport(area=area, period=period, rows=rows, units=units, grid=grid)


def render(report: LeadingReport, fmt: str) -> bytes:
    if fmt == "xlsx":
        return to_xlsx(report)
    if fmt == "pdf":
        return to_pdf(report)
    raise ValueError(fmt)


# xlsx -------------------------------------------------------------------------------------------


def _text(value) -> str:
    """Text a spreadsheet would run as a formula stays text."""
    value = str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _float(value: Decimal | None):
    return float(value) if value is not None else None


def _header(sheet, row: int, headers: list[str], widths: list[int]) -> None:
    for col, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = sheet.cell(row=row, column=col, value=header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(col)].width = width


def _title(sheet, report: LeadingReport, subtitle: str) -> None:
    sheet.cell(row=1, column=1, value=report.title).font = Font(bold=True, size=14)
    generated = timezone.localtime(report.generated_at).strftime("%Y-%m-%d %H:%M")
    generated_label = _("生成时间")
    sheet.cell(row=2, column=1, value=f"{subtitle} · {generated_label} {generated}")


def _fill(colour: str) -> PatternFill:
    return PatternFill("solid", fgColor=colour)


HEADER_ROW = 4


def _write_row(sheet, r: int, cells: list, row, *, status_column: int) -> None:
    """One indicator's row from column 1, the status cell in its progress colour."""
    for c, content in enumerate(cells, start=1):
        sheet.cell(row=r, column=c, value=content)
    sheet.cell(row=r, column=status_column).fill = _fill(status_colour(row.status))


def to_xlsx(report: LeadingReport) -> bytes:
    workbook = Workbook()
    _scorecard_sheet(workbook.active, report)
    _alerts_sheet(workbook.create_sheet(), report)
    _units_sheet(workbook.create_sheet(), report)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _scorecard_sheet(sheet, report: LeadingReport) -> None:
    sheet.title = _("指标总览")
    _title(sheet, report, _("指标总览"))
    headers = [
        _("指标代码"),
        _("指标名称"),
        _("属性"),
        _("计量单位"),
        _("当期值"),
        _("2025年目标"),
        _("状态"),
        _("较上期变化"),
        _("分子"),
        _("分母"),
        _("基期值"),
        _("说明"),
    ]
    _header(sheet, HEADER_ROW, headers, [10, 44, 9, 14, 12, 12, 12, 12, 12, 12, 12, 40])
    for r, row in enumerate(report.rows, start=HEADER_ROW + 1):
        value = row.value
        cells = [
            row.indicator.code,
            _text(row.indicator.name),
            str(row.indicator.get_attribute_display()),
            _text(unit_label(row.indicator)),
            _float(value.value) if value else None,
            report.target(row),
            row_status(row),
            _float(row.change),
            _float(value.numerator) if value else None,
            _float(value.denominator) if value else None,
            _float(value.baseline) if value else None,
            _text(reason(row)),
        ]
        _write_row(sheet, r, cells, row, status_column=7)
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=3)


def _alerts_sheet(sheet, report: LeadingReport) -> None:
    sheet.title = _("预警")
    _title(sheet, report, _("约束性指标进度预警"))
    headers = [
        _("指标代码"),
        _("指标名称"),
        _("当期值"),
        _("2025年目标"),
        _("基期值"),
        _("状态"),
        _("增长比"),
        _("较上期变化"),
    ]
    _header(sheet, HEADER_ROW, headers, [10, 44, 12, 12, 12, 12, 10, 12])
    if not report.alerts:
        sheet.cell(row=HEADER_ROW + 1, column=1, value=_("本期没有需要预警的约束性指标"))
        return
    for r, row in enumerate(report.alerts, start=HEADER_ROW + 1):
        value = row.value
        cells = [
            row.indicator.code,
            _text(row.indicator.name),
            _float(value.value),
            report.target(row),
            _float(value.baseline),
            status_label(row.status),
            _float(value.growth_ratio),
            _float(row.change),
        ]
        _write_row(sheet, r, cells, row, status_column=6)


def _units_sheet(sheet, report: LeadingReport) -> None:
    sheet.title = _("分镇街情况") if report.area.level == "county" else _("分下级区划")
    _title(sheet, report, report.units_title)
    headers = [_("指标代码"), _("指标名称"), _("计量单位"), *[u.name for u in report.units]]
    _header(sheet, HEADER_ROW, headers, [10, 40, 12, *[12] * len(report.units)])
    if not report.units:
        sheet.cell(row=HEADER_ROW + 1, column=1, value=_("本区划没有下级区划"))
        return
    for r, row in enumerate(report.rows, start=HEADER_ROW + 1):
        sheet.cell(row=r, column=1, value=row.indicator.code)
        sheet.cell(row=r, column=2, value=_text(row.indicator.name))
        sheet.cell(row=r, column=3, value=_text(unit_label(row.indicator)))
        for c, unit in enumerate(report.units, start=4):
            value = report.grid.get((row.indicator.pk, unit.pk))
            cell = sheet.cell(row=r, column=c, value=_float(value.value) if value else None)
            if value is not None and value.value is not None:
                cell.fill = _fill(status_colour(value.status))
    note_row = HEADER_ROW + len(report.rows) + 2
    sheet.cell(row=note_row, column=1, value=_("空白表示无法计算或尚无数值；底色表示进度状态"))
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=3)


# PDF --------------------------------------------------------------------------------------------


def register_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    return PDF_FONT


UNITS_PER_PAGE = 9


def to_pdf(report: LeadingReport) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table

    font = register_font()
    styles = {
        "title": ParagraphStyle("title", fontName=font, fontSize=16, leading=22, spaceAfter=4),
        "h2": ParagraphStyle("h2", fontName=font, fontSize=12, leading=18, spaceBefore=8),
        "body": ParagraphStyle("body", fontName=font, fontSize=8, leading=10),
        "small": ParagraphStyle("small", fontName=font, fontSize=7, leading=9),
        "note": ParagraphStyle("note", fontName=font, fontSize=8, leading=11, textColor="#555555"),
    }

    def p(text: str, style: str = "body") -> Paragraph:
        return Paragraph(escape(str(text)), styles[style])

    buffer = io.BytesIO()
    page = landscape(A4)
    margin = 12 * mm
    doc = SimpleDocTemplate(
        buffer,
        pagesize=page,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=14 * mm,
        title=report.title,
        author="CareCircle",
    )
    width = page[0] - 2 * margin
    generated = timezone.localtime(report.generated_at).strftime("%Y-%m-%d %H:%M")

    def footer(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        generated_label = _("生成时间")
        canvas.drawString(margin, 8 * mm, f"{report.title} · {generated_label} {generated}")
        canvas.drawRightString(page[0] - margin, 8 * mm, _("第 %(n)s 页") % {"n": document.page})
        canvas.restoreState()

    base_style = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9E9E9E")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#" + HEADER_FILL.fgColor.rgb[-6:])),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]

    def colour(status: str):
        return colors.HexColor("#" + status_colour(status))

    story = [p(report.title, "title")]
    counts = report.counts()
    summary = "；".join(f"{label} {n}" for label, n in counts.items())
    story.append(
        p(_("共 %(n)s 项指标：%(summary)s") % {"n": len(report.rows), "summary": summary}, "note")
    )
    story.append(Spacer(1, 4 * mm))

    # Scorecard.
    story.append(p(_("一、指标总览"), "h2"))
    header = [
        _("代码"),
        _("指标"),
        _("计量单位"),
        _("当期值"),
        _("2025年目标"),
        _("状态"),
        _("较上期"),
        _("说明"),
    ]
    data = [[p(h) for h in header]]
    style = list(base_style)
    for i, row in enumerate(report.rows, start=1):
        value = row.value
        data.append(
            [
                row.indicator.code,
                p(row.indicator.name),
                p(unit_label(row.indicator), "small"),
                number(value.value) if value else "",
                report.target(row),
                p(row_status(row)),
                signed(row.change),
                p(reason(row), "small"),
            ]
        )
        style.append(("BACKGROUND", (5, i), (5, i), colour(row.status)))
    widths = [14, 82, 26, 20, 22, 22, 18]
    widths_pt = [w * mm for w in widths]
    widths_pt.append(width - sum(widths_pt))
    story.append(Table(data, colWidths=widths_pt, repeatRows=1, style=style))

    # Alerts.
    story.append(p(_("二、约束性指标进度预警"), "h2"))
    if report.alerts:
        data = [
            [
                p(h)
                for h in (
                    _("代码"),
                    _("指标"),
                    _("当期值"),
                    _("2025年目标"),
                    _("基期值"),
                    _("状态"),
                    _("增长比"),
                )
            ]
        ]
        style = list(base_style)
        for i, row in enumerate(report.alerts, start=1):
            value = row.value
            data.append(
                [
                    row.indicator.code,
                    p(row.indicator.name),
                    number(value.value),
                    report.target(row),
                    number(value.baseline),
                    p(status_label(row.status)),
                    number(value.growth_ratio),
                ]
            )
            style.append(("BACKGROUND", (5, i), (5, i), colour(row.status)))
        widths_pt = [w * mm for w in (14, 100, 24, 26, 24, 26)]
        widths_pt.append(width - sum(widths_pt))
        story.append(Table(data, colWidths=widths_pt, repeatRows=1, style=style))
    else:
        story.append(p(_("本期没有需要预警的约束性指标。")))

    # Table by unit, columns split across pages.
    if report.units:
        story.append(PageBreak())
        story.append(p(_("三、%(title)s") % {"title": report.units_title}, "h2"))
        story.append(p(_("空白表示无法计算或尚无数值；底色表示进度状态。"), "note"))
        chunks = [
            report.units[i : i + UNITS_PER_PAGE]
            for i in range(0, len(report.units), UNITS_PER_PAGE)
        ]
        for n, units in enumerate(chunks):
            if n:
                story.append(PageBreak())
                story.append(
                    p(
                        _("%(title)s（续，第 %(n)s/%(total)s 部分）")
                        % {"title": report.units_title, "n": n + 1, "total": len(chunks)},
                        "h2",
                    )
                )
            data = [[p(_("代码")), p(_("指标")), *[p(u.name, "small") for u in units]]]
            style = list(base_style)
            for i, row in enumerate(report.rows, start=1):
                cells = [row.indicator.code, p(row.indicator.name, "small")]
                for j, unit in enumerate(units, start=2):
                    value = report.grid.get((row.indicator.pk, unit.pk))
                    if value is not None and value.value is not None:
                        cells.append(number(value.value))
                        style.append(("BACKGROUND", (j, i), (j, i), colour(value.status)))
                    else:
                        cells.append("")
                data.append(cells)
            fixed = [14 * mm, 70 * mm]
            unit_width = (width - sum(fixed)) / UNITS_PER_PAGE
            style.append(("ALIGN", (2, 1), (-1, -1), "RIGHT"))
            story.append(
                Table(
                    data,
                    colWidths=[*fixed, *[unit_width] * len(units)],
                    repeatRows=1,
                    style=style,
                    hAlign="LEFT",
                )
            )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
