"""Every registry-based indicator against values computed by hand on a small city.

The city is ``definitions_support.build_world`` (read its docstring first): built once for the
module inside a transaction that is rolled back at the end. Figures are taken the way
``services.compute`` takes them (one grouped query per measure, roll-up along the hierarchy
valid on each period's snapshot day, then division), for the city, both towns and the street.
"""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal

import pytest
from django.db import transaction

from carecircle.areas.models import Area
from carecircle.indicators import queries
from carecircle.indicators.engine import NO_SOURCE, computation, computations, evaluate
from carecircle.indicators.hierarchy import hierarchy_on
from carecircle.indicators.models import Indicator, IndicatorValue
from carecircle.indicators.periods import window
from carecircle.indicators.services import _figures, compute
from carecircle.indicators.tests.definitions_support import (
    A1,
    A2,
    CITY,
    STREET,
    TOWN_A,
    TOWN_B,
    VB1,
    build_world,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 30)
PERIODS = ("2021", "2022", "2023Q1", "2023", "2024")
AREAS = (CITY, TOWN_A, TOWN_B, STREET)
REGISTRY_CODES = (
    *("E08", "E09", "E10", "E12", "E14", "E15", "E16", "E17", "E18", "E19", "E20", "E21"),
    *("E22", "E23", "E24", "E25", "E26", "C06", "C07", "C08", "C09", "C10", "C11", "C12"),
    *("X03", "X04", "X05", "X07", "X08", "X09"),
)
# Computed from the service records; each is checked by hand in its own app's tests.
SERVICE_CODES = (
    *("E04", "E06", "E07", "E11", "E13", "X01", "X02", "X11"),
    *("C01", "C02", "C03", "C04", "C05", "X06"),
)
PENDING_CODES = ("X10",)


def na(label: str) -> str:
    return f"分母为0：本区划没有{label}"


# code -> period -> area -> (numerator, denominator, value); a ``str`` value starting with 分母
# is the n/a reason (value None); counts have no denominator (None).
EXPECTED: dict[str, dict[str, dict[str, tuple]]] = {
    "E08": {
        "2021": {CITY: (37, 239, "15.4812")},
        "2022": {CITY: (37, 239, "15.4812"), TOWN_A: (2, 58, "3.4483"), TOWN_B: (35, 35, "100")},
        # 拥徐村 is merged away on 2023-07-01: counted in 2023Q1, not at the end of 2023.
        "2023Q1": {CITY: (37, 239, "15.4812"), TOWN_A: (2, 58, "3.4483")},
        "2023": {CITY: (37, 238, "15.5462"), TOWN_A: (2, 57, "3.5088")},
        # The street takes two villages of 城东镇: the station listing 城东镇 no longer serves
        # them, the comprehensive centre located in one of them still does.
        "2024": {CITY: (36, 238, "15.1261"), TOWN_B: (33, 33, "100"), STREET: (1, 2, "50")},
    },
    "E09": {
        "2021": {CITY: (1, 1, "100")},
        "2022": {CITY: (1, 2, "50"), TOWN_B: (0, 0, na("新建居住区"))},
        "2023": {CITY: (2, 3, "66.6667"), TOWN_A: (1, 2, "50"), TOWN_B: (1, 1, "100")},
    },
    "E10": {"2022": {CITY: (1, 2, "50"), TOWN_A: (1, 1, "100"), TOWN_B: (0, 1, "0")}},
    "E12": {
        "2023": {CITY: (0, 0, na("街道"))},
        "2024": {CITY: (1, 1, "100"), STREET: (1, 1, "100"), TOWN_B: (0, 0, na("街道"))},
    },
    "E14": {
        "2021": {CITY: (96, 220, "43.6364")},
        "2022": {CITY: (96, 220, "43.6364"), TOWN_A: (60, 180, "33.3333"), TOWN_B: (36, 40, "90")},
        # P4 closed on 2023-01-15; P1's beds grow on 2023-06-01, the merged village's home's
        # nursing beds on 2023-09-01 (still counted in 海安镇).
        "2023Q1": {CITY: (96, 190, "50.5263"), TOWN_A: (60, 150, "40")},
        "2023": {CITY: (156, 210, "74.2857"), TOWN_A: (120, 170, "70.5882")},
        "2024": {CITY: (156, 210, "74.2857")},
    },
    "E15": {
        "2022": {CITY: (1, 1, "100"), TOWN_A: (0, 0, na("县（市、区）"))},
        "2024": {CITY: (1, 1, "100")},
    },
    "E16": {
        "2021": {CITY: (1, 4, "25")},
        "2022": {CITY: (2, 4, "50"), TOWN_A: (1, 3, "33.3333"), TOWN_B: (1, 1, "100")},
        "2023Q1": {CITY: (1, 3, "33.3333"), TOWN_B: (0, 1, "0")},
    },
    "E17": {
        "2021": {CITY: (10, None, "10"), TOWN_A: (10, None, "10"), TOWN_B: (0, None, "0")},
        "2022": {CITY: (16, None, "16"), TOWN_B: (6, None, "6")},
        "2023Q1": {CITY: (16, None, "16")},
        "2023": {CITY: (26, None, "26"), TOWN_A: (20, None, "20")},
        "2024": {CITY: (26, None, "26")},
    },
    "E18": {
        "2022": {
            CITY: (10, 50, "20"),
            TOWN_A: (10, 50, "20"),
            TOWN_B: (0, 0, na("农村敬老院床位")),
        },
        "2023Q1": {CITY: (10, 50, "20")},
        "2023": {CITY: (30, 50, "60")},
    },
    "E19": {
        "2022": {CITY: (0, None, "0")},
        "2023Q1": {CITY: (1, None, "1"), TOWN_A: (1, None, "1"), TOWN_B: (0, None, "0")},
    },
    "E20": {"2022": {CITY: (1, None, "1"), TOWN_A: (1, None, "1"), TOWN_B: (0, None, "0")}},
    "E21": {
        "2021": {CITY: (1, None, "1")},
        "2022": {CITY: (1, None, "1")},
        "2023Q1": {CITY: (2, None, "2")},
        "2023": {CITY: (4, None, "4"), TOWN_A: (3, None, "3"), TOWN_B: (1, None, "1")},
    },
    "E22": {
        "2021": {CITY: (1, None, "1")},
        "2022": {CITY: (1, None, "1")},
        "2023Q1": {CITY: (1, None, "1"), TOWN_B: (0, None, "0")},
        "2023": {CITY: (2, None, "2"), TOWN_A: (1, None, "1"), TOWN_B: (1, None, "1")},
    },
    "E23": {
        "2023Q1": {CITY: (0, None, "0")},
        "2023": {CITY: (1, None, "1"), TOWN_A: (1, None, "1")},
    },
    "E24": {
        "2021": {CITY: (2, 5, "400")},
        "2022": {CITY: (2, 4, "500"), TOWN_A: (2, 3, "666.6667"), TOWN_B: (0, 1, "0")},
        # The elder born 1963-06-15 counts at the end of 2023, not in its first quarter.
        "2023Q1": {CITY: (2, 4, "500"), TOWN_A: (1, 2, "500"), TOWN_B: (1, 2, "500")},
        "2023": {CITY: (2, 4, "500"), TOWN_A: (1, 3, "333.3333"), TOWN_B: (1, 1, "1000")},
        "2024": {TOWN_B: (1, 1, "1000"), STREET: (0, 0, na("60周岁及以上老年人"))},
    },
    "E25": {
        "2021": {CITY: (2, None, "2")},
        "2022": {CITY: (3, None, "3"), TOWN_A: (3, None, "3")},
        "2023Q1": {CITY: (5, None, "5"), TOWN_B: (2, None, "2")},
    },
    "E26": {
        "2022": {CITY: (0, None, "0")},
        "2023Q1": {CITY: (0, None, "0")},
        "2023": {CITY: (1, None, "1"), TOWN_A: (1, None, "1")},
    },
    "C06": {
        "2021": {CITY: (100, 2300, "43.4783"), TOWN_A: (60, 1500, "40")},
        "2022": {CITY: (100, 2550, "39.2157"), TOWN_A: (60, 1650, "36.3636")},
        "2023": {CITY: (100, 2550, "39.2157"), TOWN_B: (40, 900, "44.4444")},
        "2024": {
            CITY: (100, 2550, "39.2157"),
            TOWN_B: (0, 0, na("常住人口")),
            STREET: (40, 900, "44.4444"),
        },
    },
    "C07": {
        "2021": {CITY: (40, 100, "40")},
        "2022": {CITY: (40, 100, "40"), TOWN_A: (0, 60, "0"), TOWN_B: (40, 40, "100")},
        "2023Q1": {CITY: (40, 100, "40")},
        "2023": {CITY: (70, 100, "70"), TOWN_A: (30, 60, "50")},
    },
    "C08": {
        "2021": {CITY: (1, 105, "0.9524")},
        "2022": {CITY: (2, 105, "1.9048"), TOWN_A: (1, 42, "2.381"), TOWN_B: (1, 26, "3.8462")},
    },
    "C09": {
        "2022": {CITY: (0, None, "0")},
        "2023Q1": {CITY: (1, None, "1"), TOWN_A: (1, None, "1")},
    },
    "C10": {
        "2021": {CITY: (2, 3, "66.6667")},
        "2022": {CITY: (3, 4, "75"), TOWN_A: (2, 3, "66.6667")},
        "2023Q1": {CITY: (2, 4, "50"), TOWN_A: (1, 3, "33.3333")},
    },
    "C11": {
        "2021": {CITY: (0, None, "0")},
        "2022": {CITY: (1, None, "1"), TOWN_B: (1, None, "1")},
        "2024": {CITY: (1, None, "1"), TOWN_B: (0, None, "0"), STREET: (1, None, "1")},
    },
    "C12": {"2022": {CITY: (1, 2, "50"), TOWN_A: (1, 1, "100"), TOWN_B: (0, 1, "0")}},
    "X03": {
        "2021": {CITY: (0, None, "0")},
        "2022": {CITY: (1, None, "1")},
        "2023Q1": {CITY: (1, None, "1")},
        "2023": {CITY: (0, None, "0")},
    },
    "X04": {
        "2022": {CITY: (0, None, "0")},
        "2023Q1": {CITY: (1, None, "1"), TOWN_B: (1, None, "1")},
    },
    "X05": {
        "2022": {CITY: (3, 4, "75"), TOWN_A: (2, 3, "66.6667"), TOWN_B: (1, 1, "100")},
        "2023Q1": {CITY: (2, 3, "66.6667")},
    },
    "X07": {"2021": {CITY: (0, None, "0")}, "2022": {CITY: (1, None, "1"), TOWN_A: (1, None, "1")}},
    "X08": {
        "2021": {CITY: (0, None, "0")},
        "2022": {CITY: (1, None, "1")},
        "2023Q1": {CITY: (2, None, "2"), TOWN_B: (1, None, "1")},
        "2023": {CITY: (1, None, "1")},
    },
    "X09": {
        "2022": {CITY: (1, 10, "10"), TOWN_A: (0, 1, "0"), TOWN_B: (1, 1, "100")},
        "2023Q1": {CITY: (1, 10, "10")},
        "2023": {CITY: (2, 10, "20"), TOWN_A: (1, 1, "100")},
        # The 普惠 kindergarten class's village moved to the street on 2024-01-01.
        "2024": {
            CITY: (2, 11, "18.1818"),
            TOWN_B: (0, 1, "0"),
            STREET: (1, 1, "100"),
        },
    },
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build_world()
        except BaseException:
            atomic.__exit__(*sys.exc_info())
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def figures(code: str, periods=PERIODS) -> dict[str, dict[str, object]]:
    """{period: {area code: Figure}} as ``compute`` takes them, for the areas checked."""
    comp = computation(code)
    indicator = Indicator.objects.get(code=code)
    windows = [window(p, TODAY) for p in periods]
    num = evaluate(comp.numerator, windows)
    den = evaluate(comp.denominator, windows) if comp.denominator else None
    codes = dict(Area.objects.filter(code__in=AREAS).values_list("pk", "code"))
    out = {}
    for i, w in enumerate(windows):
        h = hierarchy_on(w.on)
        valid = [pk for pk in codes if pk in h.valid]
        found = _figures(comp, indicator, num[i], den[i] if den else None, h, valid)
        out[w.code] = {codes[pk]: figure for pk, figure in found.items()}
    return out


def test_every_indicator_is_declared_once():
    registry = computations()
    assert sorted(registry) == sorted(REGISTRY_CODES + SERVICE_CODES)
    assert sorted(NO_SOURCE) == sorted(PENDING_CODES)
    assert not set(registry) & set(NO_SOURCE)
    catalogue = dict(Indicator.objects.values_list("code", "source"))
    computed = {code for code, source in catalogue.items() if source == "computed"}
    assert computed == set(REGISTRY_CODES) | set(SERVICE_CODES) | set(PENDING_CODES)
    for code, comp in registry.items():
        unit = Indicator.objects.get(code=code).unit
        assert (comp.denominator is None) == (unit == "count"), code
        for measure in comp.measures():
            assert measure.label and not measure.label.isascii(), code
        if unit != "count" or code in ("C09", "C11", "X03", "X04", "X07", "E19", "E26", "E23"):
            assert comp.gap_rule() is not None, code
        if comp.numerator.model is Area:
            assert comp.area_units, code
    for reason in NO_SOURCE.values():
        assert str(reason).startswith("尚无")


def test_catalogue_cites_the_policy_and_explains_the_formula():
    for code, clause, formula in Indicator.objects.values_list(
        "code", "policy_clause", "formula_zh"
    ):
        assert clause and formula, code
        if code[0] in "EC":
            table = "附表1" if code[0] == "E" else "附表2"
            assert clause.startswith(f"二（三）{table}"), code
        if code in REGISTRY_CODES and Indicator.objects.get(code=code).unit != "count":
            assert formula.startswith("分子：") or "分子：" in formula, code


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_hand_computed_values(world, code):
    got = figures(code, tuple(p for p in PERIODS if p in EXPECTED[code]))
    for period, areas in EXPECTED[code].items():
        for area, (numerator, denominator, value) in areas.items():
            figure = got[period][area]
            where = f"{code} {period} {area}"
            assert figure.numerator == numerator, where
            if denominator is None:
                assert figure.denominator is None, where
            else:
                assert figure.denominator == denominator, where
            if value.startswith("分母为0"):
                assert figure.value is None, where
                assert figure.na_reason == value, where
            else:
                assert figure.value == Decimal(value), where
                assert figure.na_reason == "", where


def test_every_registry_indicator_is_checked():
    assert sorted(EXPECTED) == sorted(REGISTRY_CODES)


def test_stored_values_match(world):
    """The same figures through ``compute`` (stored rows) for one quarter and town."""
    compute(periods=["2023Q1"], today=TODAY, area_code=TOWN_B)
    stored = {
        v.indicator.code: v
        for v in IndicatorValue.objects.filter(period="2023Q1", area__code=TOWN_B).select_related(
            "indicator"
        )
    }
    assert sorted(stored) == sorted(REGISTRY_CODES + SERVICE_CODES)
    for code in REGISTRY_CODES:
        figure = figures(code, ("2023Q1",))["2023Q1"][TOWN_B]
        row = stored[code]
        assert (row.numerator, row.denominator, row.value, row.na_reason) == (
            figure.numerator,
            figure.denominator,
            figure.value,
            figure.na_reason,
        ), code
    assert stored["E12"].na_reason == na("街道")
    # The county above is recomputed with it; the other town is left alone.
    assert IndicatorValue.objects.filter(area__code=CITY, period="2023Q1").exists()
    assert not IndicatorValue.objects.filter(area__code=TOWN_A).exists()


def _gap(code: str, area: str, period: str) -> list[str]:
    indicator = Indicator.objects.get(code=code)
    rule, rows = queries.gap(indicator, Area.objects.get(code=area), period)
    names = []
    for row in rows:
        names.append(row.code if isinstance(row, Area) else getattr(row, "name", str(row.pk)))
    return sorted(names)


def test_gap_lists(world):
    # Sum-based ratios: the providers below the target share (E14 75 %, E18 60 %, C07 60 %).
    assert _gap("E14", CITY, "2023Q1") == ["P1", "P2"]
    assert _gap("E14", CITY, "2023") == ["P2"]  # P1 has exactly 75 %
    assert _gap("E18", CITY, "2023") == []
    assert _gap("E18", TOWN_A, "2023Q1") == ["P2"]
    assert _gap("C07", CITY, "2023") == ["K1"]
    # C06: villages whose own places per 1000 residents are below 4.5 (the merged one closes).
    assert _gap("C06", CITY, "2022") == [A1, A2]
    assert _gap("C06", CITY, "2023") == [A1]
    # Default rule: denominator rows not in the numerator.
    assert _gap("E08", STREET, "2024") == [VB1]
    assert _gap("E16", CITY, "2023Q1") == ["P2", "P3"]
    assert _gap("C12", CITY, "2022") == ["K2"]
    assert _gap("X05", CITY, "2022") == ["P2"]
    assert len(_gap("C10", CITY, "2023Q1")) == 2  # the expired certificate and the manager
    # Candidates for counts.
    assert _gap("E19", CITY, "2022") == ["F4", "F5"]
    assert _gap("E19", CITY, "2023Q1") == ["F5"]
    assert _gap("E26", CITY, "2023Q1") == ["P1", "P2", "P3"]
    assert _gap("C09", CITY, "2022") == ["K1", "K2"]
    assert _gap("C11", CITY, "2022") == ["K1"]
    assert _gap("X03", CITY, "2023") == ["K1", "K2"]
    assert _gap("X04", TOWN_A, "2023Q1") == ["K1"]
    assert _gap("X07", CITY, "2023Q1") == ["K1", "K2", "P3"]
    assert _gap("X08", CITY, "2022") == ["P2", "P3", "P4"]
    towns_without_university = _gap("E23", CITY, "2023")
    assert TOWN_B in towns_without_university and TOWN_A not in towns_without_university
    assert len(towns_without_university) == 9  # ten towns, 海安县农场 is not one
    assert STREET in _gap("E23", CITY, "2024")
