"""Excel import of population facts (人口数据台账), one row per village or community and year.

Column headers are the file format, so they stay in Chinese whatever the UI language. An empty
optional cell means "leave as is" for an existing fact (0 for a new one), so re-importing a file,
or one with fewer columns, changes nothing the file does not state.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from carecircle.areas.models import Area, PopulationFact
from carecircle.areas.services import fact_problems, lowest_units_for
from carecircle.core.imports import (
    ImportColumn,
    Importer,
    RowInvalid,
    TranslatedTitle,
    parse_int,
    parse_text,
)

MIN_YEAR, MAX_YEAR = 1950, 2100


def parse_code(value: Any) -> str:
    text = parse_text(value)
    if not (len(text) == 12 and text.isdigit()):
        raise ValidationError(_("区划代码应为12位数字（村、社区）"))
    return text


def parse_year(value: Any) -> int | None:
    year = parse_int(value)
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(_("年份应在%(a)d至%(b)d之间") % {"a": MIN_YEAR, "b": MAX_YEAR})
    return year


def _count(header: str, key: str, *, required: bool = True, example: str = "0") -> ImportColumn:
    return ImportColumn(header, key, parse_int, required=required, example=example)


class PopulationFactImporter(Importer):
    """Creates or updates the fact of (unit, year); rows equal to what is stored change nothing."""

    title = TranslatedTitle(gettext_noop("人口数据"))
    slug = "population"
    permission = "areas.change_populationfact"
    columns = (
        ImportColumn(
            "区划代码",
            "code",
            parse_code,
            example="320685100200",
            note="12位统计用区划代码，须为本人管辖范围内的村（社区）",
        ),
        ImportColumn("年份", "year", parse_year, example="2024"),
        _count("常住人口", "total", example="3200"),
        _count("男性", "male", example="1580"),
        _count("女性", "female", example="1620"),
        _count("城镇人口", "urban", example="0"),
        _count("乡村人口", "rural", example="3200"),
        _count("60岁及以上", "aged_60_plus", example="1010"),
        _count("65岁及以上", "aged_65_plus", example="760"),
        _count("80岁及以上", "aged_80_plus", example="170"),
        _count("3岁以下", "under_3", required=False, example="50"),
        _count("出生人口", "births", required=False, example="18"),
        _count("家庭户", "family_households", required=False, example="1180"),
        _count("集体户", "collective_households", required=False, example="6"),
        ImportColumn("来源", "source", parse_text, required=False, example="2024年人口台账"),
    )

    def __init__(self, user):
        super().__init__(user)
        self._units: dict[str, Area] | None = None

    @property
    def units(self) -> dict[str, Area]:
        """The lowest-level units in the user's subtree, by code (one query per import)."""
        if self._units is None:
            self._units = {area.code: area for area in lowest_units_for(self.user)}
        return self._units

    def row_key(self, values: dict[str, Any]) -> Any:
        return (values["area"].pk, values["year"])

    def check_row(self, values: dict[str, Any]) -> dict[str, Any]:
        area = self.units.get(values["code"])
        if area is None:
            exists = Area.objects.filter(code=values["code"]).exists()
            message = _("不在您的管辖范围内") if exists else _("区划代码不存在")
            raise RowInvalid({"code": message})
        given = [name for name in PopulationFact.COUNT_FIELDS if values.get(name) is not None]
        counts = {name: values.get(name) or 0 for name in PopulationFact.COUNT_FIELDS}
        existing = self._existing(area, values["year"])
        if existing is not None:  # an empty optional cell keeps the stored figure
            for name in PopulationFact.COUNT_FIELDS:
                if name not in given:
                    counts[name] = getattr(existing, name)
        problems = fact_problems(counts)
        if problems:
            raise RowInvalid(problems)
        cleaned = {"area": area, "year": values["year"], **counts}
        if values.get("source"):
            cleaned["source"] = values["source"]
        return cleaned

    def _existing(self, area: Area, year: int) -> PopulationFact | None:
        return PopulationFact.objects.filter(area=area, year=year).first()

    def apply_row(self, values: dict[str, Any]) -> str:
        fact = self._existing(values["area"], values["year"])
        if fact is None:
            try:
                with transaction.atomic():
                    PopulationFact.objects.create(**values)
            except IntegrityError as exc:  # written meanwhile by someone else
                raise ValidationError(_("该区划该年份的人口数据已存在")) from exc
            return "created"
        fields = [name for name in values if name not in ("area", "year")]
        changed = [name for name in fields if getattr(fact, name) != values[name]]
        if not changed:
            return "unchanged"
        for name in changed:
            setattr(fact, name, values[name])
        fact.save()
        return "updated"
