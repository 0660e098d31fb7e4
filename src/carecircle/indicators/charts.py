"""Plotly figures of the monitoring pages, built on the server and drawn offline in the browser.

Each builder returns a plain JSON-ready dict (``{"data": [...], "layout": {...}}``) that the page
embeds with ``json_script``; ``static/indicators/monitor.js`` hands it to the local plotly.min.js.
No figure needs a tile server or a CDN: the map is an ordinary scatter on longitude/latitude, with
the areas' GeoJSON boundaries drawn as filled lines when they are known.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal

import plotly.graph_objects as go
from django.utils.translation import gettext as _

FONT = '"WenQuanYi Zen Hei", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif'
BLUE = "#1d4f91"
TARGET_COLOUR = "#b42318"
MILESTONE_COLOUR = "#7b8794"


def _f(value) -> float | None:
    return None if value is None else float(value)


def _layout(**extra) -> dict:
    base = {
        "template": "plotly_white",
        "font": {"family": FONT, "size": 13},
        "margin": {"l": 56, "r": 24, "t": 36, "b": 48},
        "height": 360,
        "legend": {"orientation": "h", "y": -0.18},
        "separators": ".,",
    }
    base.update(extra)
    return base


def _plain(fig: go.Figure) -> dict:
    return json.loads(fig.to_json())


def trend_figure(
    years: list[str],
    values: dict[str, Decimal | None],
    milestones: dict[int, tuple[Decimal | None, bool]],
    target: Decimal | None,
    unit: str,
) -> dict:
    """Yearly values 2021–now against the 2021–2025 milestones and the 2025 target."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=years,
            y=[_f(values.get(y)) for y in years],
            mode="lines+markers",
            name=_("实际值"),
            line={"color": BLUE, "width": 3},
            marker={"size": 8},
            connectgaps=False,
        )
    )
    set_years = [str(y) for y, (v, is_set) in sorted(milestones.items()) if v is not None]
    if set_years:
        fig.add_trace(
            go.Scatter(
                x=set_years,
                y=[_f(milestones[int(y)][0]) for y in set_years],
                mode="lines+markers",
                name=_("年度里程碑"),
                line={"color": MILESTONE_COLOUR, "dash": "dot"},
                marker={
                    "symbol": [
                        "diamond" if milestones[int(y)][1] else "circle-open" for y in set_years
                    ],
                    "size": 9,
                },
                hovertext=[
                    _("已设定") if milestones[int(y)][1] else _("默认（线性）") for y in set_years
                ],
            )
        )
    if target is not None:
        fig.add_trace(
            go.Scatter(
                x=[years[0], years[-1]],
                y=[_f(target), _f(target)],
                mode="lines",
                name=_("2025年目标"),
                line={"color": TARGET_COLOUR, "dash": "dash"},
            )
        )
    fig.update_layout(
        _layout(
            xaxis={"type": "category", "title": {"text": _("年份")}},
            yaxis={"title": {"text": unit}, "rangemode": "tozero"},
        )
    )
    return _plain(fig)


def comparison_figure(
    rows: list[dict], target: Decimal | None, unit: str, higher_is_better: bool = True
) -> dict:
    """One horizontal bar per unit with a value (``name``, ``value``, ``colour``, ``status``,
    ``text``), coloured by status, best at the top; the target as a dashed line."""
    rows = sorted(
        (r for r in rows if r["value"] is not None),
        key=lambda r: r["value"],
        reverse=higher_is_better,
    )
    names = [r["name"] for r in rows]
    fig = go.Figure(
        go.Bar(
            y=names,
            x=[_f(r["value"]) for r in rows],
            orientation="h",
            marker={"color": [r["colour"] for r in rows]},
            text=[r["text"] for r in rows],
            textposition="outside",
            cliponaxis=False,
            hovertext=[f"{r['name']}：{r['text']}（{r['status']}）" for r in rows],
            hoverinfo="text",
            showlegend=False,
        )
    )
    shapes, annotations = [], []
    if target is not None:
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": _f(target),
                "x1": _f(target),
                "y0": 0,
                "y1": 1,
                "line": {"color": TARGET_COLOUR, "dash": "dash", "width": 2},
            }
        )
        annotations.append(
            {
                "xref": "x",
                "yref": "paper",
                "x": _f(target),
                "y": 1,
                "yanchor": "bottom",
                "showarrow": False,
                "text": _("目标 %(t)s") % {"t": f"{float(target):g}"},
                "font": {"color": TARGET_COLOUR, "size": 12},
            }
        )
    fig.update_layout(
        _layout(
            height=max(260, 26 * len(rows) + 90),
            xaxis={"title": {"text": unit}, "rangemode": "tozero"},
            yaxis={"autorange": "reversed", "automargin": True},
            margin={"l": 8, "r": 48, "t": 30, "b": 48},
            shapes=shapes,
            annotations=annotations,
        )
    )
    return _plain(fig)


def _rings(geometry: dict) -> list[list]:
    """The outer rings of a GeoJSON Polygon or MultiPolygon (other geometries: none)."""
    kind = (geometry or {}).get("type")
    coords = (geometry or {}).get("coordinates") or []
    if geometry and kind == "Feature":
        return _rings(geometry.get("geometry"))
    if kind == "Polygon":
        return [coords[0]] if coords else []
    if kind == "MultiPolygon":
        return [polygon[0] for polygon in coords if polygon]
    return []


def map_figure(points: list[dict], unit: str, higher_is_better: bool = True) -> dict:
    """Units as points on longitude/latitude coloured by value; boundaries when known.

    ``points``: ``name``, ``lat``, ``lon``, ``value``, ``text`` and optionally ``boundary``.
    """
    fig = go.Figure()
    for point in points:
        for ring in _rings(point.get("boundary")):
            fig.add_trace(
                go.Scatter(
                    x=[c[0] for c in ring],
                    y=[c[1] for c in ring],
                    mode="lines",
                    fill="toself",
                    fillcolor="rgba(29,79,145,0.06)",
                    line={"color": "#9aa5b1", "width": 1},
                    hoverinfo="skip",
                    showlegend=False,
                )
            )
    with_value = [p for p in points if p["value"] is not None]
    without = [p for p in points if p["value"] is None]
    if with_value:
        fig.add_trace(
            go.Scatter(
                x=[p["lon"] for p in with_value],
                y=[p["lat"] for p in with_value],
                mode="markers+text",
                text=[p["name"] for p in with_value],
                textposition="top center",
                hovertext=[f"{p['name']}：{p['text']}" for p in with_value],
                hoverinfo="text",
                marker={
                    "size": 18,
                    "color": [float(p["value"]) for p in with_value],
                    "colorscale": "RdYlGn" if higher_is_better else "RdYlGn_r",
                    "showscale": True,
                    "colorbar": {"title": {"text": unit}, "thickness": 14},
                    "line": {"color": "#ffffff", "width": 1},
                },
                name=_("有数值"),
                showlegend=False,
            )
        )
    if without:
        fig.add_trace(
            go.Scatter(
                x=[p["lon"] for p in without],
                y=[p["lat"] for p in without],
                mode="markers",
                hovertext=[f"{p['name']}：{_('无数值')}" for p in without],
                hoverinfo="text",
                marker={"size": 14, "color": "#cbd2d9", "symbol": "circle-open-dot"},
                name=_("无数值"),
            )
        )
    lats = [p["lat"] for p in points]
    mid = sum(lats) / len(lats) if lats else 32.5
    fig.update_layout(
        _layout(
            height=460,
            xaxis={"visible": False},
            yaxis={
                "visible": False,
                "scaleanchor": "x",
                # One degree of latitude is longer than one of longitude away from the equator.
                "scaleratio": 1 / max(math.cos(math.radians(mid)), 0.1),
            },
            margin={"l": 8, "r": 8, "t": 8, "b": 8},
            showlegend=bool(without),
        )
    )
    return _plain(fig)
