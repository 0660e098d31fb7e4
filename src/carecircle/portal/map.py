"""A small offline map for the portal: an SVG of the city's units and the providers found,
projected on the server (no tiles, no CDN, no inline script or style: CSP-clean).

A click on the map (``portal/portal.js``) turns the SVG coordinates back into longitude and
latitude with the numbers in the SVG's data attributes, and searches from there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from carecircle.portal.services import Place, Point

WIDTH = 600
MARGIN = 0.02  # degrees around the city's extent


@dataclass(frozen=True)
class Projection:
    west: float
    north: float
    scale: float  # SVG units per degree of latitude
    squeeze: float  # cos(latitude): a degree of longitude is shorter
    height: int

    def xy(self, point: Point) -> tuple[float, float]:
        x = (point.lon - self.west) * self.scale * self.squeeze
        y = (self.north - point.lat) * self.scale
        return round(x, 1), round(y, 1)


def projection(box: tuple[float, float, float, float]) -> Projection:
    south, west, north, east = box
    south, west, north, east = south - MARGIN, west - MARGIN, north + MARGIN, east + MARGIN
    squeeze = math.cos(math.radians((south + north) / 2))
    scale = WIDTH / max((east - west) * squeeze, 1e-6)
    height = int((north - south) * scale) + 1
    return Projection(west, north, scale, squeeze, height)


def build(
    box: tuple[float, float, float, float] | None,
    towns: list,
    places: list[Place],
    origin: Point | None,
    first_rank: int = 1,
) -> dict | None:
    """What the template draws: town labels, numbered result markers and the search point."""
    if box is None:
        return None
    proj = projection(box)
    labels = []
    for town in towns:
        if town.latitude is None:
            continue
        x, y = proj.xy(Point(float(town.latitude), float(town.longitude)))
        labels.append({"x": x, "y": y, "name": town.name})
    markers = []
    for rank, place in enumerate(places, start=first_rank):
        if place.point is None:
            continue
        x, y = proj.xy(place.point)
        markers.append({"x": x, "y": y, "rank": rank, "name": place.provider.name})
    here = None
    if origin is not None:
        x, y = proj.xy(origin)
        here = {"x": x, "y": y}
    return {
        "width": WIDTH,
        "height": proj.height,
        "west": proj.west,
        "north": proj.north,
        "scale": proj.scale,
        "squeeze": proj.squeeze,
        "labels": labels,
        "markers": markers[::-1],  # the nearest drawn last, on top
        "here": here,
    }
