"""The GB/T 42195-2022 tables (Appendix B items and options, Appendix C levels and change rules,
A.1.3 reasons, A.2.14 risk events, A.4.1 disease checklist), read from ``data/gbt42195.json``.

The tables are data: the loader only checks that they are whole (every item has options, the
domain maxima add up to the total, the level bands cover every score once) and refuses to start
otherwise. Rule *logic* (C.4) lives in ``services``; its wording and parameters come from here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

DATA_FILE = Path(__file__).with_name("data") / "gbt42195.json"

# The C.4 rules the scoring service implements; the data file must describe each of them.
RULE_CODES = ("coma", "mental_disorder", "risk_events", "upgrades_once", "cap")


@dataclass(frozen=True)
class Option:
    points: int
    text: str


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    description: str
    domain: str
    options: tuple[Option, ...]

    @property
    def max_points(self) -> int:
        return max(option.points for option in self.options)

    @property
    def field_name(self) -> str:
        """Form and import key: ``B.1.1`` → ``item_B_1_1`` (dots do not travel well in HTML)."""
        return "item_" + self.code.replace(".", "_")

    def option(self, points: int) -> Option | None:
        return next((o for o in self.options if o.points == points), None)


@dataclass(frozen=True)
class Domain:
    code: str
    name: str
    max_points: int
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Level:
    level: int
    name: str
    short: str
    low: int
    high: int


@dataclass(frozen=True)
class Coded:
    """A reason, risk-event kind or disease: a stable code and its Chinese name."""

    code: str
    name: str
    icd: str = ""
    raises_level: bool = False
    invalidates_previous: bool = False

    @property
    def label(self) -> str:
        return f"{self.name}（{self.icd}）" if self.icd else self.name


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    text: str
    min_events: int = 0
    window_days: int = 0


@dataclass(frozen=True)
class Standard:
    title: str
    max_score: int
    domains: tuple[Domain, ...]
    levels: tuple[Level, ...]
    reasons: tuple[Coded, ...]
    risk_kinds: tuple[Coded, ...]
    diseases: tuple[Coded, ...]
    rules: dict[str, Rule]

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for domain in self.domains for item in domain.items)

    def item(self, code: str) -> Item | None:
        return next((item for item in self.items if item.code == code), None)

    def level_for(self, score: int) -> int:
        for band in self.levels:
            if band.low <= score <= band.high:
                return band.level
        raise ValueError(f"score {score} outside 0–{self.max_score}")

    def level(self, level: int) -> Level:
        return next(band for band in self.levels if band.level == level)

    @property
    def top_level(self) -> int:
        return max(band.level for band in self.levels)

    def reason(self, code: str) -> Coded | None:
        return next((r for r in self.reasons if r.code == code), None)

    def disease(self, code: str) -> Coded | None:
        return next((d for d in self.diseases if d.code == code), None)

    def risk_kind(self, code: str) -> Coded | None:
        return next((k for k in self.risk_kinds if k.code == code), None)


def _fail(message: str):
    raise ImproperlyConfigured(f"{DATA_FILE.name}: {message}")


def _options(raw_item: dict, scales: dict) -> tuple[Option, ...]:
    if "scale" in raw_item:
        if raw_item["scale"] not in scales:
            _fail(f"{raw_item['code']} uses unknown scale {raw_item['scale']}")
        raw = scales[raw_item["scale"]]
    else:
        raw = raw_item.get("options") or []
    options = tuple(Option(int(points), str(text)) for points, text in raw)
    if not options:
        _fail(f"{raw_item['code']} has no options")
    points = [o.points for o in options]
    if len(set(points)) != len(points):
        _fail(f"{raw_item['code']} lists a score twice")
    if min(points) != 0 or any(p < 0 for p in points) or any(not o.text for o in options):
        _fail(f"{raw_item['code']} options must start at 0 and each have a text")
    return tuple(sorted(options, key=lambda o: -o.points))


def _coded(rows: list[dict], what: str) -> tuple[Coded, ...]:
    out = tuple(
        Coded(
            code=row["code"],
            name=row["name"],
            icd=row.get("icd", ""),
            raises_level=bool(row.get("raises_level", False)),
            invalidates_previous=bool(row.get("invalidates_previous", False)),
        )
        for row in rows
    )
    codes = [c.code for c in out]
    if not out or len(set(codes)) != len(codes):
        _fail(f"{what}: empty or duplicate codes")
    return out


def parse(raw: dict) -> Standard:
    """Build and check the tables from the decoded JSON."""
    scales = raw.get("scales", {})
    domains = []
    seen: set[str] = set()
    for raw_domain in raw["domains"]:
        items = []
        for raw_item in raw_domain["items"]:
            if raw_item["code"] in seen:
                _fail(f"item {raw_item['code']} appears twice")
            seen.add(raw_item["code"])
            items.append(
                Item(
                    code=raw_item["code"],
                    name=raw_item["name"],
                    description=raw_item.get("description", ""),
                    domain=raw_domain["code"],
                    options=_options(raw_item, scales),
                )
            )
        domain = Domain(
            raw_domain["code"], raw_domain["name"], int(raw_domain["max"]), tuple(items)
        )
        if not items or sum(item.max_points for item in items) != domain.max_points:
            _fail(f"domain {domain.code}: item maxima do not add up to {domain.max_points}")
        domains.append(domain)
    max_score = int(raw["max_score"])
    if sum(domain.max_points for domain in domains) != max_score:
        _fail(f"domain maxima do not add up to {max_score}")

    levels = tuple(
        sorted(
            (
                Level(int(r["level"]), r["name"], r.get("short", r["name"]), r["min"], r["max"])
                for r in raw["levels"]
            ),
            key=lambda band: band.low,
        )
    )
    expected_low = 0
    for band in levels:
        if band.low != expected_low or band.high < band.low:
            _fail(f"level bands leave a gap or overlap at score {expected_low}")
        expected_low = band.high + 1
    if expected_low != max_score + 1:
        _fail(f"level bands do not reach {max_score}")
    if sorted(band.level for band in levels) != list(range(len(levels))):
        _fail("levels must be numbered 0, 1, 2 … without gaps")

    rules = {}
    for code in RULE_CODES:
        row = raw.get("adjustments", {}).get(code)
        if not row or not row.get("text"):
            _fail(f"adjustment rule {code} is not described")
        rules[code] = Rule(
            code=code,
            name=row["name"],
            text=row["text"],
            min_events=int(row.get("min_events", 0)),
            window_days=int(row.get("window_days", 0)),
        )
    if rules["risk_events"].min_events < 1 or rules["risk_events"].window_days < 1:
        _fail("risk_events needs min_events and window_days")

    diseases = _coded(raw["diseases"], "diseases")
    if not any(d.raises_level for d in diseases):
        _fail("no disease raises the level (F00–F03, F04–F99)")
    return Standard(
        title=raw["standard"],
        max_score=max_score,
        domains=tuple(domains),
        levels=levels,
        reasons=_coded(raw["reasons"], "reasons"),
        risk_kinds=_coded(raw["risk_event_kinds"], "risk_event_kinds"),
        diseases=diseases,
        rules=rules,
    )


@cache
def standard() -> Standard:
    """The tables, read and checked once per process."""
    with DATA_FILE.open(encoding="utf-8") as handle:
        return parse(json.load(handle))
