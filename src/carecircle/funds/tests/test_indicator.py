"""E07 福彩公益金投入占比 computed by hand (today 2025-06-30 for the periods).

=======  ==========  ==========  ===============
area     date        purpose     amount (yuan)
=======  ==========  ==========  ===============
city     2024-03-01  elderly         600,000.00
city     2024-05-01  children        200,000.00
海安镇   2024-06-01  elderly         150,000.50
海安镇   2024-11-30  assistance      100,000.00
城东镇   2024-12-31  other            50,000.00
city     2025-02-01  elderly         300,000.00
city     2025-04-01  assistance      100,000.00
城东镇   2025-05-20  elderly         100,000.00
城东镇   2025-08-01  disability      100,000.00  (after today: not yet counted)
=======  ==========  ==========  ===============

2024: 750,000.50 of 1,100,000.50 (68.1818 %); 海安镇 150,000.50 of 250,000.50 (60.0001 %);
城东镇 0 of 50,000 (0 %). 2025Q1: 300,000 of 300,000; 城东镇 nothing yet (n/a).
2025 (to 2025-06-30): 400,000 of 500,000 (80 %); 城东镇 100 %.
"""

import datetime as dt
from decimal import Decimal

import pytest

from carecircle.core import testing as t
from carecircle.funds.tests.conftest import allocate
from carecircle.health.tests.test_indicator import figures
from carecircle.indicators import queries
from carecircle.indicators.models import Indicator, IndicatorValue
from carecircle.indicators.services import compute

pytestmark = pytest.mark.django_db
D = dt.date
NA = "分母为0：本区划没有福彩公益金分配总额（元）"


@pytest.fixture
def allocations(db):
    allocate(t.CITY, D(2024, 3, 1), "elderly", "600000")
    allocate(t.CITY, D(2024, 5, 1), "children", "200000", project="困境儿童关爱服务")
    allocate(t.TOWN_A, D(2024, 6, 1), "elderly", "150000.50")
    allocate(t.TOWN_A, D(2024, 11, 30), "assistance", "100000", project="临时救助资金补充")
    allocate(t.TOWN_B, D(2024, 12, 31), "other", "50000", project="慈善超市运营补助")
    allocate(t.CITY, D(2025, 2, 1), "elderly", "300000")
    allocate(t.CITY, D(2025, 4, 1), "assistance", "100000", project="临时救助资金补充")
    allocate(t.TOWN_B, D(2025, 5, 20), "elderly", "100000")
    allocate(t.TOWN_B, D(2025, 8, 1), "disability", "100000", project="残疾人之家运营补助")


def test_e07_hand_computed(allocations):
    got = figures("E07", ["2024", "2025Q1", "2025"])
    assert got["2024"] == {
        t.CITY: (Decimal("750000.50"), Decimal("1100000.50"), Decimal("68.1818"), ""),
        t.TOWN_A: (Decimal("150000.50"), Decimal("250000.50"), Decimal("60.0001"), ""),
        t.TOWN_B: (0, Decimal("50000"), Decimal("0"), ""),
    }
    assert got["2025Q1"][t.CITY] == (300000, 300000, Decimal("100"), "")
    assert got["2025Q1"][t.TOWN_B] == (0, 0, None, NA)
    assert got["2025"][t.CITY] == (400000, 500000, Decimal("80"), "")
    assert got["2025"][t.TOWN_B] == (100000, 100000, Decimal("100"), "")


def test_e07_gap_lists_the_other_allocations_largest_first(allocations):
    rule, rows = queries.gap(Indicator.objects.get(code="E07"), t.area(t.CITY), "2024")
    assert [row.amount for row in rows] == [Decimal("200000"), Decimal("100000"), Decimal("50000")]


def test_e07_decimal_sums_stored_and_live(allocations, django_capture_on_commit_callbacks):
    compute(["E07"])
    stored = IndicatorValue.objects.get(indicator__code="E07", period="2024", area__code=t.CITY)
    assert (stored.numerator, stored.denominator, stored.value) == (
        Decimal("750000.50"),
        Decimal("1100000.50"),
        Decimal("68.1818"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        allocate(t.TOWN_A, D(2024, 12, 1), "elderly", "99999.50", project="养老护理员培训补贴")
    stored.refresh_from_db()
    assert (stored.numerator, stored.denominator) == (Decimal("850000.00"), Decimal("1200000.00"))
    assert stored.value == Decimal("70.8333")
