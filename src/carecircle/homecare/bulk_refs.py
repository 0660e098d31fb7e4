"""The records a service-order file refers to: providers, elders, menu items and workers.

Each distinct value is looked up once, many at a time (``IN`` lists of a few thousand), and
remembered for the rest of the file. Elders and workers are found through the blind index of their
ID number, computed once per distinct number. Providers are limited to the importing user's scope:
institution staff may import their own provider's orders only, area officers those of the
providers in their area.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from carecircle.core.choices import Domain
from carecircle.core.fields import id_number_index
from carecircle.homecare.bulk_columns import Invalid, credit_code_parser, resident_number_parser
from carecircle.homecare.models import ServiceItem
from carecircle.institutions.models import Provider, Staff
from carecircle.persons.models import Person

BATCH = 5000


def batches(values: list[Any], size: int = BATCH) -> Iterable[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass(frozen=True)
class Stint:
    """One employment of a worker at a provider."""

    staff_id: int
    hired_on: dt.date
    left_on: dt.date | None

    def covers(self, day: dt.date) -> bool:
        return self.hired_on <= day and (self.left_on is None or self.left_on >= day)


def _people(query) -> dict[str, tuple]:
    """index → (pk, domain) of the persons of ``query``; a living record wins over an earlier
    one registered dead."""
    found: dict[str, tuple] = {}
    rows = query.order_by().values_list("id_number_index", "pk", "domain", "death_date")
    for index, pk, domain, death_date in rows.iterator(chunk_size=20_000):
        kept = found.get(index)
        if kept is None or (kept[2] is not None and death_date is None):
            found[index] = (pk, domain, death_date)
    return found


class References:
    """``prefetch``: read every elder's blind index at the first lookup (for the upload page,
    which checks one row at a time and would otherwise query once per elder)."""

    def __init__(self, user=None, prefetch: bool = False):
        self.user = user
        self.prefetch = prefetch
        self._people: dict[str, tuple] | None = None
        self.allowed: set[int] | None = None
        if user is not None:
            self.allowed = set(Provider.objects.for_user(user).values_list("pk", flat=True))
        self.elder_number = resident_number_parser(required=True)
        self.worker_number = resident_number_parser(required=False)
        self.stints: dict[tuple[int, str], list[Stint]] = {}

    # Providers ---------------------------------------------------------------------------------
    def providers(self, raws: list[Any]) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        codes: dict[str, list[Any]] = defaultdict(list)
        for raw in raws:
            try:
                codes[credit_code_parser(raw)].append(raw)
            except ValidationError as exc:
                out[raw] = Invalid("；".join(exc.messages))
        found: dict[str, tuple[int, str]] = {}
        for chunk in batches(list(codes)):
            rows = Provider.objects.filter(credit_code__in=chunk).values_list(
                "credit_code", "pk", "domain"
            )
            found.update({code: (pk, domain) for code, pk, domain in rows})
        for code, group in codes.items():
            result: Any
            if code not in found:
                result = Invalid(_("未找到该统一社会信用代码的服务机构（请先登记机构）"))
            elif found[code][1] != Domain.ELDERLY:
                result = Invalid(_("该机构不是养老服务机构"))
            elif self.allowed is not None and found[code][0] not in self.allowed:
                result = Invalid(
                    _("只能导入本机构的工单")
                    if self.user.institution_id
                    else _("该机构不在您的管辖范围内")
                )
            else:
                result = found[code][0]
            out.update(dict.fromkeys(group, result))
        return out

    # Elders ------------------------------------------------------------------------------------
    def elders(self, raws: list[Any]) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        by_index: dict[str, list[Any]] = defaultdict(list)
        for raw in raws:
            try:
                by_index[id_number_index(self.elder_number(raw))].append(raw)
            except ValidationError as exc:
                out[raw] = Invalid("；".join(exc.messages))
        if self.prefetch:
            if self._people is None:
                self._people = _people(Person.objects.filter(merged_into__isnull=True))
            found = self._people
        else:
            found = {}
            for chunk in batches(list(by_index)):
                query = Person.objects.filter(id_number_index__in=chunk, merged_into__isnull=True)
                found.update(_people(query))
        for index, group in by_index.items():
            result: Any
            if index not in found:
                result = Invalid(_("老年人名册中没有该身份证号（请先登记）"))
            elif found[index][1] != Domain.ELDERLY:
                result = Invalid(_("该身份证号登记的不是老年人"))
            else:
                result = found[index][0]
            out.update(dict.fromkeys(group, result))
        return out

    # Menu items --------------------------------------------------------------------------------
    def items(self, raws: list[Any]) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        codes: dict[str, list[Any]] = defaultdict(list)
        for raw in raws:
            code = raw.strip() if isinstance(raw, str) else ("" if raw is None else str(raw))
            if not code:
                out[raw] = Invalid(_("不能为空"))
            else:
                codes[code].append(raw)
        found: dict[str, tuple[int, bool]] = {}
        for chunk in batches(list(codes)):
            rows = ServiceItem.objects.filter(code__in=chunk).values_list("code", "pk", "active")
            found.update({code: (pk, active) for code, pk, active in rows})
        for code, group in codes.items():
            result: Any
            if code not in found:
                result = Invalid(_("服务菜单中没有该项目编码"))
            elif not found[code][1]:
                result = Invalid(_("该服务项目已停用"))
            else:
                result = found[code][0]
            out.update(dict.fromkeys(group, result))
        return out

    # Workers -----------------------------------------------------------------------------------
    def worker_indexes(self, raws: list[Any]) -> dict[Any, Any]:
        """Blank stays ``None`` (the worker is optional); a number becomes its blind index."""
        out: dict[Any, Any] = {}
        for raw in raws:
            try:
                number = self.worker_number(raw)
            except ValidationError as exc:
                out[raw] = Invalid("；".join(exc.messages))
                continue
            out[raw] = None if number is None else id_number_index(number)
        return out

    def load_stints(self, pairs: set[tuple[int, str]]) -> None:
        """Employments of the (provider, worker index) pairs not looked up yet."""
        new = [pair for pair in pairs if pair not in self.stints]
        if not new:
            return
        for pair in new:
            self.stints[pair] = []
        indexes = sorted({index for _provider, index in new})
        providers = sorted({provider for provider, _index in new})
        for chunk in batches(indexes):
            rows = Staff.objects.filter(
                id_number_index__in=chunk, provider_id__in=providers
            ).values_list("provider_id", "id_number_index", "pk", "hired_on", "left_on")
            for provider_id, index, pk, hired_on, left_on in rows:
                if (provider_id, index) in self.stints:
                    self.stints[(provider_id, index)].append(Stint(pk, hired_on, left_on))

    def worker_on(self, provider_id: int, index: str, day: dt.date) -> int | str:
        """The staff row employed by the provider on ``day``, or the reason there is none."""
        stints = self.stints.get((provider_id, index), [])
        for stint in stints:
            if stint.covers(day):
                return stint.staff_id
        if stints:
            return _("该服务人员在服务日期不在本机构在职")
        return _("该服务人员不是本机构登记的从业人员")
