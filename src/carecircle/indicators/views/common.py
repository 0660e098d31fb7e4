"""What every monitoring page shares: access checks, the area and period pickers, formatting.

Every page starts from the user's scope: the area comes from ``queries.area_for_user`` (404 outside
the user's subtree), the period from its DHIS2 code (404 when malformed).
"""

from __future__ import annotations

import functools
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from carecircle.areas.models import Area
from carecircle.indicators import queries
from carecircle.indicators.choices import Attribute, Status
from carecircle.indicators.models import Indicator
from carecircle.indicators.periods import Period, PeriodError, parse, standard_periods

VIEW_PERMISSION = "indicators.view_indicatorvalue"
COUNTY_DEPTH = 2

# Colours of the status chips and chart bars (kept in step with monitor.css).
STATUS_COLOURS = {
    Status.ACHIEVED: "#17803d",
    Status.ON_TRACK: "#0f8b8d",
    Status.NEEDS_ACCELERATION: "#d99a00",
    Status.OFF_TRACK: "#e4572e",
    Status.DETERIORATING: "#b42318",
}
NA_COLOUR = "#9aa5b1"
STATUS_CSS = {
    Status.ACHIEVED: "st-achieved",
    Status.ON_TRACK: "st-on-track",
    Status.NEEDS_ACCELERATION: "st-accelerate",
    Status.OFF_TRACK: "st-off-track",
    Status.DETERIORATING: "st-deteriorating",
}
NO_DATA = "no_data"  # filter value: no data source yet / not reported yet

# The catalogue states units in English; what the pages show.
from carecircle.indicators.choices import CATEGORY_LABELS  # noqa: E402


def monitor_view(permission: str = VIEW_PERMISSION):
    """Decorator of every monitoring page: login, the permission, and an area scope (institution
    staff, who have no area, see no indicator)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.has_perm(permission) or user.scope_area_id is None:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def indicator_or_404(code: str) -> Indicator:
    return get_object_or_404(Indicator, code=code)


def chosen_area(request) -> Area:
    """The ``area`` parameter (a division code) if it lies in the user's scope, else 404; the
    user's scope area when absent."""
    code = (request.GET.get("area") or "").strip() or request.user.scope_area.code
    return queries.area_for_user(request.user, code)


def this_year() -> str:
    return str(timezone.localdate().year)


def chosen_period(request) -> Period:
    code = (request.GET.get("period") or "").strip() or this_year()
    try:
        return parse(code)
    except PeriodError as exc:
        raise Http404 from exc


def area_choices(user) -> list[tuple[str, str]]:
    """The user's scope area and every current unit below it, indented as a tree."""
    scope = user.scope_area
    rows = Area.objects.subtree(scope).current().order_by("path").only("code", "name", "depth")
    top = scope.depth
    return [(a.code, "\u3000" * (a.depth - top) + a.name) for a in rows]


def period_choices() -> list[tuple[str, str]]:
    """Years 2021–now, then the quarters and months of this year so far."""
    periods = standard_periods()
    years = [p for p in periods if p.kind == "year"]
    rest = [p for p in periods if p.kind != "year"]
    return [(p.code, p.label()) for p in reversed(years)] + [(p.code, p.label()) for p in rest]


def unit_label(indicator: Indicator) -> str:
    return indicator.unit_text


def category_label(category: str) -> str:
    return str(CATEGORY_LABELS.get(category, category))


def fmt(value, places: int = 2) -> str:
    """A figure for display: thousands separated, at most ``places`` decimals, no trailing 0s."""
    if value is None:
        return "—"
    number = Decimal(value)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{places}f}".rstrip("0").rstrip(".")
    return text


def fmt_value(value, indicator: Indicator) -> str:
    if value is None:
        return "—"
    unit = unit_label(indicator)
    return f"{fmt(value)}{unit}" if unit == "%" else f"{fmt(value)} {unit}"


def fmt_target(indicator: Indicator, target=None) -> str:
    target = indicator.target_value if target is None else target
    return f"{indicator.get_target_op_display()} {fmt_value(target, indicator)}"


def fmt_change(change, indicator: Indicator) -> dict | None:
    """The change since the previous period, with whether it goes the good way."""
    if change is None:
        return None
    if change == 0:
        return {"text": "±0", "css": "chg-flat"}
    higher_better = indicator.target_op in (">", ">=")
    good = (change > 0) == higher_better
    size = fmt(abs(change))
    if size == "0":  # a change too small to show at two decimals
        return {"text": "≈0", "css": "chg-flat"}
    arrow = "▲" if change > 0 else "▼"
    sign = "+" if change > 0 else "−"
    return {"text": f"{arrow} {sign}{size}", "css": "chg-good" if good else "chg-bad"}


def chip(
    status: str,
    *,
    state: str = "computed",
    has_value: bool = True,
    has_row: bool = True,
    reason: str = "",
):
    """How a status shows: css class, label and explanation (hover). ``has_row``: a value row
    exists (computed or approved), ``has_value``: it holds a figure."""
    if state == "no_source" and not has_row:
        return {"css": "st-nodata", "label": _("尚无数据来源"), "title": reason}
    if not has_row and state == "reported":
        return {"css": "st-nodata", "label": _("尚未填报"), "title": reason}
    if not has_row:
        return {"css": "st-na", "label": _("尚未计算"), "title": reason}
    if not has_value:
        return {"css": "st-na", "label": str(Status.NOT_AVAILABLE.label), "title": reason}
    label = Status(status).label if status in Status.values else status
    return {"css": STATUS_CSS.get(status, "st-na"), "label": str(label), "title": reason}


def status_colour(status: str | None) -> str:
    return STATUS_COLOURS.get(status, NA_COLOUR)


def attribute_tag(indicator: Indicator) -> dict:
    binding = indicator.attribute == Attribute.BINDING
    return {"css": "tag bad" if binding else "tag", "label": indicator.get_attribute_display()}


def status_filter_choices() -> list[tuple[str, str]]:
    return [
        (Status.ACHIEVED, Status.ACHIEVED.label),
        (Status.ON_TRACK, Status.ON_TRACK.label),
        (Status.NEEDS_ACCELERATION, Status.NEEDS_ACCELERATION.label),
        (Status.OFF_TRACK, Status.OFF_TRACK.label),
        (Status.DETERIORATING, Status.DETERIORATING.label),
        ("na", _("无法评估")),
        (NO_DATA, _("尚无数据")),
    ]


class RowList(list):
    """A list that ``core.views.export_response`` can export like a queryset."""

    def iterator(self, chunk_size: int = 2000):
        return iter(self)

    def count(self, *args) -> int:  # noqa: D102 - queryset-like count()
        return len(self) if not args else super().count(*args)


def area_path_label(area: Area) -> str:
    """ "城东镇 › 某村", from the county down (the county itself omitted below it)."""
    names = [a.name for a in area.ancestors() if a.depth > COUNTY_DEPTH] + [area.name]
    return " › ".join(names)
