"""The response-time chart, built with Plotly on the server and drawn offline in the browser
(the page embeds the figure with ``json_script``; the indicator pages' script draws it)."""

from __future__ import annotations

import json

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from carecircle.emergency.stats import ResponseFigures, as_minutes
from carecircle.indicators.charts import BLUE, FONT, TARGET_COLOUR

P90_COLOUR = "#b54708"
SHARE_COLOUR = "rgba(29,79,145,0.18)"


def _f(value) -> float | None:
    return None if value is None else float(value)


def response_figure(rows: list[ResponseFigures], target_minutes: int) -> dict:
    """Median and 90th percentile response time (minutes) per group as lines, the share
    answered within the target as bars on a second axis, and the target as a dashed line."""
    labels = [row.label for row in rows]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=labels,
            y=[_f(row.within_share) for row in rows],
            name=_("%(m)s分钟内响应占比（%%）") % {"m": target_minutes},
            marker={"color": SHARE_COLOUR},
            yaxis="y2",
            hovertemplate="%{y:.1f}%<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=[_f(as_minutes(row.median_seconds)) for row in rows],
            mode="lines+markers",
            name=_("响应时间中位数（分钟）"),
            line={"color": BLUE, "width": 3},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=[_f(as_minutes(row.p90_seconds)) for row in rows],
            mode="lines+markers",
            name=_("响应时间第90百分位（分钟）"),
            line={"color": P90_COLOUR, "width": 2},
        )
    )
    if labels:
        fig.add_trace(
            go.Scatter(
                x=[labels[0], labels[-1]],
                y=[target_minutes, target_minutes],
                mode="lines",
                name=_("响应时限（%(m)s分钟）") % {"m": target_minutes},
                line={"color": TARGET_COLOUR, "dash": "dash"},
            )
        )
    fig.update_layout(
        template="plotly_white",
        font={"family": FONT, "size": 13},
        margin={"l": 56, "r": 56, "t": 24, "b": 48},
        height=380,
        legend={"orientation": "h", "y": -0.2},
        xaxis={"type": "category"},
        yaxis={"title": {"text": _("分钟")}, "rangemode": "tozero"},
        yaxis2={
            "overlaying": "y",
            "tickmode": "linear",
            "dtick": 20,
            "ticksuffix": "%",
            "side": "right",
            "range": [0, 100],
            "showgrid": False,
        },
    )
    return json.loads(fig.to_json())
