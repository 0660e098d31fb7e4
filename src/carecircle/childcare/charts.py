"""Plotly figures of the supply-and-demand page, drawn offline like the indicator pages (the
JSON is embedded with ``json_script`` and drawn by ``indicators/monitor.js``)."""

from __future__ import annotations

import json

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from carecircle.childcare.supply import SupplyRow
from carecircle.indicators.charts import FONT, map_figure

CHILDREN_COLOUR = "#9aa5b1"
PLACES_COLOUR = "#1d4f91"
AFFORDABLE_COLOUR = "#17803d"
ENROLLED_COLOUR = "#d99a00"


def supply_figure(rows: list[SupplyRow], with_enrolment: bool) -> dict:
    """Grouped bars per unit: children under 3, places, 普惠 places (and children enrolled)."""
    names = [row.label for row in rows]
    series = [
        (_("3岁以下婴幼儿"), [row.children for row in rows], CHILDREN_COLOUR),
        (_("托位"), [row.places for row in rows], PLACES_COLOUR),
        (_("普惠托位"), [row.affordable for row in rows], AFFORDABLE_COLOUR),
    ]
    if with_enrolment:
        series.append((_("在托"), [row.enrolled or 0 for row in rows], ENROLLED_COLOUR))
    fig = go.Figure(
        [
            go.Bar(name=name, x=names, y=values, marker={"color": colour})
            for name, values, colour in series
        ]
    )
    fig.update_layout(
        template="plotly_white",
        font={"family": FONT, "size": 13},
        barmode="group",
        height=400,
        margin={"l": 56, "r": 24, "t": 24, "b": 96},
        legend={"orientation": "h", "y": 1.08},
        xaxis={"tickangle": -40, "automargin": True},
        yaxis={"title": {"text": _("人数 / 个")}, "rangemode": "tozero"},
        separators=".,",
    )
    return json.loads(fig.to_json())


def coverage_map(rows: list[SupplyRow]) -> tuple[dict | None, int]:
    """Units at their centre points coloured by places per 100 children under 3; how many units
    lack coordinates."""
    points, missing = [], 0
    for row in rows:
        area = row.area
        if area is None or area.latitude is None or area.longitude is None:
            missing += 1
            continue
        value = row.places_per_100_children
        points.append(
            {
                "name": row.label,
                "lat": float(area.latitude),
                "lon": float(area.longitude),
                "value": value,
                "text": _("%(v)s 个托位/百名婴幼儿（托位 %(p)s，婴幼儿 %(c)s）")
                % {"v": value if value is not None else "—", "p": row.places, "c": row.children},
                "boundary": area.boundary,
            }
        )
    if len(points) < 2:
        return None, missing
    return map_figure(points, _("托位/百名婴幼儿")), missing
