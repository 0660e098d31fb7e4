"""Computing, storing and freezing indicator values.

``compute`` evaluates every declared computation for all areas and the given periods at once;
``recompute_affected`` is the incremental path taken when records are saved, imported or deleted:
it re-evaluates only the subtrees that changed and moves their ancestors by the difference.
Closed periods are never touched except by an explicit, audited ``republish``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from carecircle.indicators.choices import Source
from carecircle.indicators.engine import (
    Computation,
    Figure,
    computations,
    divide,
    evaluate,
    na_reason,
)
from carecircle.indicators.hierarchy import Hierarchy, hierarchies_on
from carecircle.indicators.models import Indicator, IndicatorValue, PeriodState
from carecircle.indicators.periods import BASELINE_PERIOD, Period, Window, parse, standard_periods
from carecircle.indicators.periods import window as make_window
from carecircle.indicators.status import assess
from carecircle.indicators.targets import TargetBook

VALUE_FIELDS = (
    "source",
    "numerator",
    "denominator",
    "value",
    "na_reason",
    "target",
    "baseline",
    "status",
    "growth_ratio",
    "definition_version",
    "computed_at",
)


@dataclass
class ComputeReport:
    indicators: int = 0
    periods: list[str] = field(default_factory=list)
    values: int = 0
    skipped_closed: list[str] = field(default_factory=list)
    seconds: float = 0.0


def closed_periods() -> set[str]:
    return set(PeriodState.objects.values_list("period", flat=True))


def open_windows(periods: Iterable[Period] | None = None, today: dt.date | None = None):
    periods = list(periods) if periods is not None else standard_periods(today)
    closed = closed_periods()
    return [make_window(p, today) for p in periods if p.code not in closed], [
        p.code for p in periods if p.code in closed
    ]


class ValueWriter:
    """Turns figures into ``IndicatorValue`` rows (with target, baseline and status) and upserts
    them in batches."""

    def __init__(self, indicators: dict[str, Indicator], root_id: int):
        self.indicators = indicators
        self.book = TargetBook(indicators, root_id)
        self.now = timezone.now()
        self.rows: dict[tuple[int, int, str], tuple] = {}
        self._baselines: dict[tuple[int, int], Decimal | None] = {}
        self._loaded: set[int] = set()

    def _load_baselines(self, indicator: Indicator) -> None:
        """One query per indicator: every stored value of the baseline period."""
        if indicator.pk in self._loaded:
            return
        self._loaded.add(indicator.pk)
        for area, value in IndicatorValue.objects.filter(
            indicator=indicator, period=BASELINE_PERIOD
        ).values_list("area_id", "value"):
            self._baselines.setdefault((indicator.pk, area), value)

    def baseline(self, indicator: Indicator, area_id: int) -> Decimal | None:
        self._load_baselines(indicator)
        entered = self.book.entered_baseline(indicator, area_id)
        if entered is not None:
            return entered
        return self._baselines.get((indicator.pk, area_id))

    def remember_baselines(self, indicator: Indicator, figures: dict[int, Figure]) -> None:
        """The baseline period was just computed: its values are the baselines from now on."""
        self._load_baselines(indicator)
        for area_id, figure in figures.items():
            self._baselines[(indicator.pk, area_id)] = figure.value

    def add(
        self,
        indicator: Indicator,
        area_id: int,
        w: Window,
        figure: Figure,
        chain: tuple[int, ...],
        *,
        source: str = Source.COMPUTED,
        version: int | None = None,
    ) -> tuple[int, int, str]:
        target = self.book.target(indicator, chain)
        baseline = self.baseline(indicator, area_id)
        status, ratio = assess(indicator, figure.value, baseline, target, w.on)
        key = (indicator.pk, area_id, w.code)
        self.rows[key] = (
            source,
            figure.numerator,
            figure.denominator,
            figure.value,
            figure.na_reason,
            target,
            baseline,
            status,
            ratio,
            version or indicator.version,
        )
        return key

    def flush(self) -> int:
        """Write what changed (one upsert); returns the number of values computed."""
        count = len(self.rows)
        if not self.rows:
            return 0
        indicator_ids = {key[0] for key in self.rows}
        periods = {key[2] for key in self.rows}
        areas = {key[1] for key in self.rows}
        stored = IndicatorValue.objects.filter(indicator_id__in=indicator_ids, period__in=periods)
        if len(areas) < 500:
            stored = stored.filter(area_id__in=areas)
        fields = VALUE_FIELDS[:-1]  # all but computed_at
        current = {
            (row[0], row[1], row[2]): tuple(row[3:])
            for row in stored.values_list("indicator_id", "area_id", "period", *fields)
        }
        changed = [
            (*key, *values, self.now)
            for key, values in self.rows.items()
            if _differs(current.get(key), values)
        ]
        if changed:
            _upsert(changed)
        # A figure found unchanged keeps its ``computed_at``: the time it took this value.
        self.rows = {}
        return count


def _differs(stored: tuple | None, new: tuple) -> bool:
    if stored is None:
        return True
    for old, value in zip(stored, new, strict=True):
        if isinstance(value, Decimal) or isinstance(old, Decimal):
            if (old is None) != (value is None):
                return True
            if old is not None and Decimal(old) != Decimal(value):
                return True
        elif old != value:
            return True
    return False


def _upsert(rows: list[tuple]) -> None:
    """INSERT … ON CONFLICT DO UPDATE: ``executemany`` on SQLite; on PostgreSQL the rows are
    copied into a temporary table first (``COPY``) and upserted in one statement."""
    qn = connection.ops.quote_name
    table = qn(IndicatorValue._meta.db_table)
    columns = ["indicator_id", "area_id", "period", *VALUE_FIELDS]
    quoted = ", ".join(qn(c) for c in columns)
    updates = ", ".join(f"{qn(c)} = EXCLUDED.{qn(c)}" for c in VALUE_FIELDS)
    conflict = f"ON CONFLICT (indicator_id, area_id, period) DO UPDATE SET {updates}"
    if connection.vendor == "postgresql" and len(rows) >= 1000:
        # Many rows: COPY into a temporary table, then one upsert (few rows: executemany).
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS cc_value_batch AS "  # noqa: S608 - fixed names
                f"SELECT {quoted} FROM {table} WITH NO DATA"
            )
            cursor.execute("TRUNCATE cc_value_batch")
            with cursor.cursor.copy(f"COPY cc_value_batch ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {table} ({quoted}) SELECT {quoted} FROM cc_value_batch "  # noqa: S608
                f"{conflict}"
            )
            cursor.execute("TRUNCATE cc_value_batch")
        return
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({quoted}) VALUES ({placeholders}) {conflict}"  # noqa: S608
    adapt = connection.ops.adapt_decimalfield_value
    stamps: dict = {}
    prepared = []
    for row in rows:
        values = list(row)
        for index in (4, 5, 6, 8, 9, 11):  # the decimal columns
            if values[index] is not None:
                values[index] = adapt(Decimal(values[index]), 18, 4)
        stamp = values[-1]
        if stamp not in stamps:
            stamps[stamp] = connection.ops.adapt_datetimefield_value(stamp)
        values[-1] = stamps[stamp]
        prepared.append(values)
    with connection.cursor() as cursor:
        for start in range(0, len(prepared), 2000):
            cursor.executemany(sql, prepared[start : start + 2000])


def _figures(
    comp: Computation, indicator: Indicator, num: dict, den: dict | None, h: Hierarchy, areas
) -> dict[int, Figure]:
    num_totals = h.rollup(num)
    den_totals = h.rollup(den) if den is not None else None
    reason = na_reason(comp.denominator.label if comp.denominator else "")
    out: dict[int, Figure] = {}
    for area_id in areas:
        numerator = num_totals.get(area_id, Decimal(0))
        denominator = den_totals.get(area_id, Decimal(0)) if den_totals is not None else None
        out[area_id] = divide(Decimal(numerator), denominator, indicator.factor, reason=reason)
    return out


def _baseline_first(windows: list[Window]) -> list[Window]:
    return sorted(windows, key=lambda w: (w.code != BASELINE_PERIOD, w.period.start, w.code))


def compute(
    codes: Iterable[str] | None = None,
    periods: Iterable[Period | str] | None = None,
    *,
    area_code: str | None = None,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
    include_closed: bool = False,
) -> ComputeReport:
    """Evaluate computations for all areas (or one subtree) and the periods given (default: the
    standard ones), skipping closed periods unless ``include_closed``."""
    started = timezone.now()
    report = ComputeReport()
    registry = computations()
    wanted = sorted(registry) if codes is None else [c for c in codes if c in registry]
    parsed = [parse(p) if isinstance(p, str) else p for p in periods] if periods else None
    if include_closed:
        windows = [make_window(p, today) for p in (parsed or standard_periods(today))]
    else:
        windows, report.skipped_closed = open_windows(parsed, today)
    windows = _baseline_first(windows)
    report.periods = [w.code for w in windows]
    if not windows or not wanted:
        return report
    indicators = Indicator.objects.in_bulk(wanted, field_name="code")
    hierarchies = hierarchies_on([w.on for w in windows])
    root_id = next(iter(hierarchies.values())).root_id
    top_id = None
    if area_code:
        from carecircle.areas.models import Area

        top = Area.objects.get(code=area_code)
        top_id = top.pk
    writer = ValueWriter(indicators, root_id)
    with transaction.atomic():
        for code in wanted:
            indicator = indicators.get(code)
            if indicator is None:
                continue
            comp = registry[code]
            if progress:
                progress(code)
            num = evaluate(comp.numerator, windows)
            den = evaluate(comp.denominator, windows) if comp.denominator else None
            for i, w in enumerate(windows):
                h = hierarchies[w.on]
                areas = h.valid
                if top_id is not None:
                    # The subtree, and the units above it (their totals include it).
                    areas = {a for a in h.valid if top_id in h.ancestors(a)}
                    areas |= set(h.ancestors(top_id)) & h.valid
                figures = _figures(comp, indicator, num[i], den[i] if den else None, h, areas)
                if w.code == BASELINE_PERIOD:
                    writer.remember_baselines(indicator, figures)
                for area_id, figure in figures.items():
                    writer.add(
                        indicator, area_id, w, figure, h.ancestors(area_id), version=comp.version
                    )
            report.values += writer.flush()
            report.indicators += 1
        if top_id is None:
            _drop_invalid_units(
                [indicators[c] for c in wanted if c in indicators], windows, hierarchies
            )
    report.seconds = (timezone.now() - started).total_seconds()
    return report


def _drop_invalid_units(indicators: list[Indicator], windows: list[Window], hierarchies) -> None:
    """Computed values of units that do not exist in a period (a village merged since) go."""
    for w in windows:
        valid = hierarchies[w.on].valid
        if len(valid) >= 900:  # a national tree: too many to list; nothing is merged there
            continue
        IndicatorValue.objects.filter(
            indicator__in=indicators, period=w.code, source=Source.COMPUTED
        ).exclude(area_id__in=valid).delete()


def ensure_period(period: Period | str, today: dt.date | None = None) -> bool:
    """Compute a period that has started but has no values yet (a new month, say); returns
    whether it did. Pages call it so that a period never shows empty for lack of a run."""
    period = parse(period) if isinstance(period, str) else period
    today = today or timezone.localdate()
    if period.start > today or period.code in closed_periods():
        return False
    if IndicatorValue.objects.filter(period=period.code, source=Source.COMPUTED).exists():
        return False
    compute(periods=[period], today=today)
    return True


# Incremental ---------------------------------------------------------------------------------


def codes_watching(model) -> dict[str, tuple[str, ...]]:
    """Indicator codes whose value depends on ``model``, with the lookups to the areas affected."""
    return {
        code: comp.watched()[model]
        for code, comp in computations().items()
        if model in comp.watched()
    }


def _minimal_roots(h: Hierarchy, area_ids: set[int]) -> set[int]:
    """The changed units as the smallest set of valid subtrees covering them: a unit closed on
    the day (a merged village) is replaced by the nearest unit above it that exists."""
    valid_ids = set()
    for area_id in area_ids:
        chain = [a for a in h.ancestors(area_id) if a in h.valid]
        if chain:
            valid_ids.add(chain[0])
    roots = set()
    for area_id in valid_ids:
        chain = h.ancestors(area_id)
        if not any(other in valid_ids and other != area_id for other in chain[1:]):
            roots.add(area_id)
    return roots


def _stored_totals(
    indicators: list[Indicator], windows: list[Window], area_ids: set[int] | None = None
) -> dict[int, dict]:
    """{indicator id: {(area, period): (numerator, denominator)}}, in one query."""
    rows = IndicatorValue.objects.filter(
        indicator__in=indicators, period__in=[w.code for w in windows]
    )
    if area_ids is not None:
        rows = rows.filter(area_id__in=list(area_ids))
    out: dict[int, dict] = {indicator.pk: {} for indicator in indicators}
    for indicator_id, area, period, numerator, denominator in rows.values_list(
        "indicator_id", "area_id", "period", "numerator", "denominator"
    ):
        out[indicator_id][(area, period)] = (numerator or Decimal(0), denominator or Decimal(0))
    return out


def _relevant_units(hierarchies, windows: list[Window], area_ids: set[int]) -> set[int]:
    """The units whose stored totals an incremental update reads: the changed units' chains up
    to the root with their children, and their subtrees."""
    out: set[int] = set()
    for w in windows:
        h = hierarchies[w.on]
        children = h.children()
        for area_id in area_ids:
            chain = h.ancestors(area_id)
            out |= set(chain) | h.subtree(area_id)
            for unit in chain:
                out |= set(children.get(unit, ()))
        out.add(h.root_id)
    return out


def _recompute_units(comp, indicator, windows, hierarchies, area_ids, writer, stored) -> bool:
    """Incremental path of indicators that count units ("villages served by a facility").

    Whether a unit counts may change for the changed units, every unit above them (a facility
    located below a unit serves it) and every unit below them (a facility serving a unit serves
    its descendants). Their own rows are re-evaluated; what they counted before is their stored
    total minus their children's; every unit above them moves by the difference. Returns False
    when a stored value is missing (the caller then computes the whole tree).
    """
    scope: set[int] = set()
    for w in windows:
        h = hierarchies[w.on]
        for area_id in area_ids:
            scope |= set(h.ancestors(area_id)) | h.subtree(area_id)
    num = evaluate(comp.numerator, windows, scope)
    den = evaluate(comp.denominator, windows, scope) if comp.denominator else None
    reason = na_reason(comp.denominator.label if comp.denominator else "")
    plans = []
    touched: set[int] = set()
    for i, w in enumerate(windows):
        h = hierarchies[w.on]
        children = h.children()
        delta: dict[int, list[Decimal]] = {}
        for unit in scope:
            if unit not in h.valid:
                continue
            keys = [unit, *children.get(unit, ())]
            if any((k, w.code) not in stored for k in keys):
                return False
            old = [
                stored[(unit, w.code)][part]
                - sum((stored[(c, w.code)][part] for c in children.get(unit, ())), Decimal(0))
                for part in (0, 1)
            ]
            new = [num[i].get(unit, Decimal(0)), den[i].get(unit, Decimal(0)) if den else 0]
            change = [new[0] - old[0], new[1] - old[1]]
            if change[0] or change[1]:
                for ancestor in h.ancestors(unit):
                    if ancestor in h.valid:
                        moved = delta.setdefault(ancestor, [Decimal(0), Decimal(0)])
                        moved[0] += change[0]
                        moved[1] += change[1]
        touched |= set(delta)
        plans.append(delta)
    results = []
    for i, w in enumerate(windows):
        h = hierarchies[w.on]
        figures = {}
        for area_id in touched & h.valid:
            if (area_id, w.code) not in stored:
                return False
            old_num, old_den = stored[(area_id, w.code)]
            moved = plans[i].get(area_id, [Decimal(0), Decimal(0)])
            denominator = old_den + moved[1] if comp.denominator is not None else None
            figures[area_id] = divide(
                old_num + moved[0], denominator, indicator.factor, reason=reason
            )
        results.append((w, h, figures))
    # Only now, when every period could be done, do the figures go to the writer.
    for w, h, figures in results:
        if w.code == BASELINE_PERIOD:
            writer.remember_baselines(indicator, figures)
        for area_id, figure in figures.items():
            writer.add(indicator, area_id, w, figure, h.ancestors(area_id), version=comp.version)
    return True


def recompute_affected(
    codes: Iterable[str],
    area_ids: Iterable[int],
    today: dt.date | None = None,
    since: dt.date | None = None,
):
    """Recompute ``codes`` after records of ``area_ids`` changed, for every open period whose
    snapshot day is on or after ``since`` (the earliest date the changed records carry: a record
    counts on a day only once its start date has come; ``None`` means every period).

    The subtrees of the changed units are re-evaluated from their rows; every unit above them
    moves by the difference. A value never computed before falls back to a full computation.
    """
    registry = computations()
    codes = [c for c in codes if c in registry]
    area_ids = {a for a in area_ids if a is not None}
    if not codes or not area_ids:
        return
    windows, _closed = open_windows(None, today)
    if since is not None:
        windows = [w for w in windows if w.on >= since]
    if not windows:
        return
    windows = _baseline_first(windows)
    indicators = Indicator.objects.in_bulk(codes, field_name="code")
    hierarchies = hierarchies_on([w.on for w in windows])
    root_id = next(iter(hierarchies.values())).root_id
    writer = ValueWriter(indicators, root_id)
    relevant = _relevant_units(hierarchies, windows, area_ids)
    all_stored = _stored_totals(list(indicators.values()), windows, relevant)
    with transaction.atomic():
        for code in codes:
            indicator = indicators.get(code)
            if indicator is None:
                continue
            comp = registry[code]
            stored = all_stored[indicator.pk]
            # A period never computed (a new month) is computed whole; so is an indicator whose
            # rows depend on each other across areas (``local=False``).
            fresh = [w for w in windows if (root_id, w.code) not in stored]
            todo = windows if not comp.local else [w for w in windows if w not in fresh]
            if not comp.local or fresh:
                compute(
                    [code], [w.period for w in (windows if not comp.local else fresh)], today=today
                )
            if not comp.local or not todo:
                continue
            if comp.area_units:
                if not _recompute_units(
                    comp, indicator, todo, hierarchies, area_ids, writer, stored
                ):
                    compute([code], [w.period for w in todo], today=today)
                continue
            # Units whose own rows may change: the changed units' whole subtrees (an area unit
            # counts when a facility anywhere below it serves it).
            scope: set[int] = set()
            roots_by_window = []
            windows_here = todo
            for w in windows_here:
                h = hierarchies[w.on]
                roots = _minimal_roots(h, area_ids)
                roots_by_window.append(roots)
                for root in roots:
                    scope |= h.subtree(root)
            num = evaluate(comp.numerator, windows_here, scope)
            den = evaluate(comp.denominator, windows_here, scope) if comp.denominator else None
            for i, w in enumerate(windows_here):
                h = hierarchies[w.on]
                roots = roots_by_window[i]
                inside = {a for a in h.valid if any(r in h.ancestors(a) for r in roots)}
                figures = _figures(comp, indicator, num[i], den[i] if den else None, h, inside)
                # Ancestors above the roots move by each root's difference.
                delta_num: dict[int, Decimal] = {}
                delta_den: dict[int, Decimal] = {}
                for root in roots:
                    if root not in h.valid:
                        continue
                    old_num, old_den = stored.get((root, w.code), (Decimal(0), Decimal(0)))
                    new = figures[root]
                    for ancestor in h.ancestors(root)[1:]:
                        delta_num[ancestor] = (
                            delta_num.get(ancestor, 0) + new.numerator - (old_num or 0)
                        )
                        if comp.denominator is not None:
                            delta_den[ancestor] = (
                                delta_den.get(ancestor, 0) + (new.denominator or 0) - (old_den or 0)
                            )
                for ancestor, change in delta_num.items():
                    if ancestor not in h.valid or ancestor in inside:
                        continue
                    old_num, old_den = stored.get((ancestor, w.code), (Decimal(0), Decimal(0)))
                    denominator = (
                        Decimal(old_den or 0) + delta_den.get(ancestor, 0)
                        if comp.denominator is not None
                        else None
                    )
                    label = comp.denominator.label if comp.denominator else ""
                    figures[ancestor] = divide(
                        Decimal(old_num or 0) + change, denominator, indicator.factor, label
                    )
                if w.code == BASELINE_PERIOD:
                    writer.remember_baselines(indicator, figures)
                for area_id, figure in figures.items():
                    writer.add(
                        indicator, area_id, w, figure, h.ancestors(area_id), version=comp.version
                    )
        writer.flush()
