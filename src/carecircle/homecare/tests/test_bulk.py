"""The bulk import of service orders: values, idempotency, updates, and every check by row and
column with nothing written when any row fails."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from carecircle.accounts.choices import Role
from carecircle.core import testing as t
from carecircle.core.choices import ScopeDomain
from carecircle.homecare.bulk import import_orders
from carecircle.homecare.choices import Funding, OrderStatus, SettlementStatus
from carecircle.homecare.models import ServiceOrder, Settlement
from carecircle.homecare.tests.bulk_support import (
    as_csv,
    as_xlsx,
    build_world,
    make_worker,
    orders,
    row,
)
from carecircle.indicators.models import IndicatorValue
from carecircle.indicators.services import compute
from carecircle.persons.models import HardshipFlag

pytestmark = pytest.mark.django_db
world = pytest.fixture(build_world, name="world")


def local(text: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.strptime(text, "%Y-%m-%d %H:%M"))


def test_every_row_is_written_with_its_values(world):
    rows = orders(world, 120)
    outcome = import_orders(as_csv(rows))
    assert outcome.ok, outcome.messages()
    assert (outcome.rows, outcome.created, outcome.updated, outcome.unchanged) == (120, 120, 0, 0)
    assert ServiceOrder.objects.count() == 120
    first = ServiceOrder.objects.get(external_ref="GD00001")
    assert first.provider == world.station
    assert first.person == world.elder
    assert first.worker == world.worker
    assert first.status == OrderStatus.COMPLETED
    assert first.scheduled_start == local("2025-03-02 09:30")
    assert first.checked_in_at == local("2025-03-02 09:33")
    assert first.checked_out_at == local("2025-03-02 10:34")
    assert first.duration_minutes == 61
    assert first.quantity == Decimal("1.00")
    assert first.unit_price == world.items["care"].price
    assert first.rating == 2
    assert first.complaint == ""
    cancelled = ServiceOrder.objects.get(external_ref="GD00017")
    assert cancelled.status == OrderStatus.CANCELLED
    assert cancelled.checked_in_at is None and cancelled.duration_minutes is None
    assert ServiceOrder.objects.filter(worker__isnull=True).count() == 60
    assert len({order.uuid for order in ServiceOrder.objects.all()}) == 120


def test_importing_the_same_file_again_changes_nothing(world):
    data = as_csv(orders(world, 60))
    import_orders(data)
    stamps = dict(ServiceOrder.objects.values_list("external_ref", "updated_at"))
    outcome = import_orders(data)
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, 60)
    assert dict(ServiceOrder.objects.values_list("external_ref", "updated_at")) == stamps


def test_a_changed_row_is_updated_and_the_rest_left_alone(world):
    rows = orders(world, 40)
    import_orders(as_csv(rows))
    kept = ServiceOrder.objects.get(external_ref="GD00003")
    rows[3].update({"状态": "已完成", "评分": "1", "投诉内容": "迟到半小时"})
    rows[4]["老人身份证号"] = world.elder_a2.id_number
    outcome = import_orders(as_csv(rows))
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 2, 38)
    changed = ServiceOrder.objects.get(external_ref="GD00003")
    assert (changed.rating, changed.complaint) == (1, "迟到半小时")
    assert changed.uuid == kept.uuid and changed.created_at == kept.created_at
    assert ServiceOrder.objects.get(external_ref="GD00004").person == world.elder_a2


def test_xlsx_with_typed_cells_matches_the_csv(world):
    rows = orders(world, 30)
    outcome = import_orders(as_xlsx(rows))
    assert (outcome.ok, outcome.created) == (True, 30), outcome.messages()
    again = import_orders(as_csv(rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 30)


def test_gb18030_csv_with_codes_instead_of_labels(world):
    rows = [
        row(world.station, world.elder, world.items["meal"], "A1", 状态="completed"),
        row(world.station, world.elder, world.items["meal"], "A2", 资金来源="self_paid"),
        row(world.station, world.elder, world.items["meal"], "A3", 投诉内容="饭菜偏凉"),
    ]
    outcome = import_orders(as_csv(rows, encoding="gb18030"))
    assert outcome.ok, outcome.messages()
    assert ServiceOrder.objects.get(external_ref="A2").funding == Funding.SELF_PAID
    assert ServiceOrder.objects.get(external_ref="A3").complaint == "饭菜偏凉"


def test_other_time_formats_are_read_as_local_time(world):
    rows = [
        row(world.station, world.elder, world.items["meal"], "T1", 预约开始时间="2025/3/3 9:00"),
        row(world.station, world.elder, world.items["meal"], "T2", 预约开始时间="2025-03-03T09:00"),
        row(
            world.station,
            world.elder,
            world.items["meal"],
            "T3",
            预约开始时间="2025.03.03 09:00:00",
        ),
    ]
    assert import_orders(as_csv(rows)).ok
    assert set(ServiceOrder.objects.values_list("scheduled_start", flat=True)) == {
        local("2025-03-03 09:00")
    }


def test_dry_run_counts_and_writes_nothing(world):
    outcome = import_orders(as_csv(orders(world, 25)), dry_run=True)
    assert (outcome.ok, outcome.created, outcome.dry_run) == (True, 25, True)
    assert "试运行" in outcome.summary()
    assert not ServiceOrder.objects.exists()


# Checks of single cells -------------------------------------------------------------------------

D2020 = dt.date(2020, 1, 1)
ANOTHER_ID = "320685194005050015"  # valid, not registered


@pytest.mark.parametrize(
    ("header", "value", "message"),
    [
        ("服务机构统一社会信用代码", "", "不能为空"),
        ("服务机构统一社会信用代码", "52320685MJ0000001X", "统一社会信用代码无效"),
        ("服务机构统一社会信用代码", "91320685MA1MXXXX0Q", "统一社会信用代码无效"),
        ("工单编号", "", "不能为空"),
        ("工单编号", "G" * 41, "不能超过40个字符"),
        ("老人身份证号", "320685194005050018", "校验位错误"),
        ("老人身份证号", "320685194002300019", "出生日期不存在"),
        ("老人身份证号", "32068519400505001", "应为18位"),
        ("老人身份证号", ANOTHER_ID, "老年人名册中没有该身份证号"),
        ("服务项目编码", "XX99", "服务菜单中没有该项目编码"),
        ("服务人员身份证号", "32068519800101123", "应为18位"),
        ("服务人员身份证号", ANOTHER_ID, "不是本机构登记的从业人员"),
        ("状态", "完成了", "取值应为：已派单、已完成、已取消、未上门"),
        ("预约开始时间", "", "不能为空"),
        ("预约开始时间", "3月3日上午", "时间格式应为"),
        ("预约开始时间", "2025-02-30 09:00", "时间不存在"),
        ("预约开始时间", "2025-03-03", "时间格式应为"),
        ("预约开始时间", "1999-03-03 09:00", "早于2000年"),
        ("签到时间", "2999-03-03 09:00", "晚于明年"),
        ("服务数量", "0", "须大于0"),
        ("服务数量", "一", "应为数字"),
        ("服务数量", "1.255", "最多保留2位小数"),
        ("单价", "-30", "不能为负数"),
        ("单价", "123456789.00", "数值过大"),
        ("资金来源", "医保", "取值应为：政府购买、自费"),
        ("评分", "6", "评分应为1至5的整数"),
        ("评分", "4.5", "评分应为1至5的整数"),
        ("投诉内容", "差" * 501, "不能超过500个字符"),
    ],
)
def test_a_bad_cell_is_named_by_row_and_column_and_nothing_is_written(
    world, header, value, message
):
    rows = orders(world, 3)
    rows[1][header] = value
    outcome = import_orders(as_csv(rows))
    assert not outcome.ok
    assert not ServiceOrder.objects.exists()
    assert outcome.error_count == 1, outcome.messages()
    error = outcome.errors[0]
    assert (error.row, error.header) == (3, header)
    assert message in error.message
    assert error.describe().startswith(f"第3行“{header}”列：")


def test_a_check_in_in_the_future_is_refused(world):
    future = timezone.localtime() + dt.timedelta(days=2)
    rows = [row(world.station, world.elder, world.items["meal"], "F1")]
    rows[0]["签到时间"] = f"{future:%Y-%m-%d %H:%M}"
    rows[0]["签退时间"] = ""
    outcome = import_orders(as_csv(rows))
    assert [(e.header, e.message) for e in outcome.errors] == [("签到时间", "不能晚于当前时间")]


def test_an_inactive_item_and_a_person_who_is_not_an_elder(world):
    world.items["bath"].active = False
    world.items["bath"].save()
    child = t.make_person(t.VILLAGE_A1, birth=dt.date(2024, 5, 1), domain="childcare")
    rows = [
        row(world.station, world.elder, world.items["bath"], "I1"),
        row(world.station, child, world.items["meal"], "I2"),
    ]
    outcome = import_orders(as_csv(rows))
    assert [(e.row, e.header, e.message) for e in outcome.errors] == [
        (2, "服务项目编码", "该服务项目已停用"),
        (3, "老人身份证号", "该身份证号登记的不是老年人"),
    ]


# Rules between columns --------------------------------------------------------------------------


def test_rules_between_columns(world):
    meal = world.items["meal"]
    _other_worker, other_worker_id = make_worker(world.other)
    _gone, gone_id = make_worker(world.station, left=dt.date(2025, 2, 28))
    rows = [
        row(world.station, world.elder, meal, "X1", 预约结束时间="2025-03-03 08:59"),
        row(world.station, world.elder, meal, "X2", 签退时间="2025-03-03 09:01"),
        row(world.station, world.elder, meal, "X3", 服务数量="1.5", 金额="12.00"),
        row(world.station, world.elder, meal, "X4", 服务人员身份证号=other_worker_id),
        row(world.station, world.elder, meal, "X5", 服务人员身份证号=gone_id),
        row(world.station, world.elder, meal, "X1"),
        row(world.station, world.elder, meal, "X7", 单价="33.33", 服务数量="0.5", 金额="16.67"),
    ]
    outcome = import_orders(as_csv(rows))
    assert [(e.row, e.header, e.message) for e in outcome.errors] == [
        (2, "预约结束时间", "预约结束时间不能早于预约开始时间"),
        (3, "签退时间", "签退时间不能早于签到时间"),
        (4, "金额", "金额应为服务数量×单价：1.50×12.00=18.00"),
        (5, "服务人员身份证号", "该服务人员不是本机构登记的从业人员"),
        (6, "服务人员身份证号", "该服务人员在服务日期不在本机构在职"),
        (7, "工单编号", "与第2行的服务机构和工单编号重复"),
    ]
    assert not ServiceOrder.objects.exists()


def test_the_same_order_number_at_two_providers_is_two_orders(world):
    meal = world.items["meal"]
    rows = [
        row(world.station, world.elder, meal, "SAME"),
        row(world.other, world.elder, meal, "SAME"),
    ]
    assert import_orders(as_csv(rows)).created == 2


def test_every_error_is_counted_and_one_bad_row_stops_everything(world):
    rows = orders(world, 300)
    rows[10]["状态"] = "?"
    rows[250]["金额"] = "1.00"
    rows[299]["老人身份证号"] = ANOTHER_ID
    rows[299]["评分"] = "0"
    outcome = import_orders(as_csv(rows))
    assert (outcome.rows, outcome.error_count, outcome.created) == (300, 4, 0)
    assert [(e.row, e.header) for e in outcome.errors] == [
        (12, "状态"),
        (252, "金额"),
        (301, "老人身份证号"),
        (301, "评分"),
    ]
    assert not ServiceOrder.objects.exists()
    assert outcome.messages(limit=2)[0] == "共 4 处错误，以下列出前 2 处，完整清单见错误报告"


def test_a_later_bad_row_leaves_earlier_imports_untouched(world):
    rows = orders(world, 50)
    import_orders(as_csv(rows))
    before = list(ServiceOrder.objects.order_by("pk").values_list("pk", "status", "updated_at"))
    rows[0]["状态"] = "已取消"
    rows.append(row(world.station, world.elder, world.items["meal"], "NEW", 金额="0.01"))
    outcome = import_orders(as_csv(rows), chunk_rows=20)
    assert outcome.error_count == 1 and outcome.errors[0].row == 52
    assert list(ServiceOrder.objects.order_by("pk").values_list("pk", "status", "updated_at")) == (
        before
    )


# The file as a whole ----------------------------------------------------------------------------


def test_missing_and_repeated_columns(world):
    data = as_csv(orders(world, 2)).decode("utf-8-sig")
    header, rest = data.split("\r\n", 1)
    without = header.replace("老人身份证号,", "").replace("金额,", "金额,金额,")
    outcome = import_orders((without + "\r\n" + rest).encode())
    assert [e.describe() for e in outcome.errors] == [
        "第1行：缺少必填列“老人身份证号”",
        "第1行：列“金额”出现了多次",
    ]


def test_optional_columns_may_be_left_out_and_blank_lines_are_skipped(world):
    keep = ["服务机构统一社会信用代码", "工单编号", "老人身份证号", "服务项目编码", "状态"]
    keep += ["预约开始时间", "服务数量", "资金来源", "单价", "金额"]
    lines = [",".join(keep)]
    for n, values in enumerate(orders(world, 3)):
        lines.append(",".join(str(values[h]) for h in keep))
        if n == 0:
            lines.append(",,,")
    outcome = import_orders("\n".join(lines).encode())
    assert (outcome.ok, outcome.created, outcome.rows) == (True, 3, 3), outcome.messages()
    assert ServiceOrder.objects.filter(checked_in_at__isnull=True).count() == 3


def test_unreadable_files(world):
    assert import_orders(b"").errors[0].message == "文件是空的"
    broken = import_orders(b"PK\x03\x04 not really a workbook", fmt="xlsx")
    assert broken.errors[0].message == "无法读取 xlsx 文件，请使用下载的模板"


# Scope ------------------------------------------------------------------------------------------


def test_institution_staff_import_only_their_own_provider(world):
    staff = t.make_user(Role.INSTITUTION_STAFF, institution=world.station)
    meal = world.items["meal"]
    rows = [row(world.station, world.elder, meal, "S1"), row(world.other, world.elder, meal, "S2")]
    outcome = import_orders(as_csv(rows), user=staff)
    assert [(e.row, e.header, e.message) for e in outcome.errors] == [
        (3, "服务机构统一社会信用代码", "只能导入本机构的工单")
    ]
    assert import_orders(as_csv(rows[:1]), user=staff).created == 1


def test_officers_import_for_the_providers_of_their_area(world, civil_affairs_officer):
    town = t.make_user(Role.CIVIL_AFFAIRS_OFFICER, area_code=t.TOWN_A, domain=ScopeDomain.ELDERLY)
    meal = world.items["meal"]
    rows = [row(world.station, world.elder, meal, "O1"), row(world.other, world.elder, meal, "O2")]
    outcome = import_orders(as_csv(rows), user=town)
    assert [(e.row, e.message) for e in outcome.errors] == [(3, "该机构不在您的管辖范围内")]
    assert import_orders(as_csv(rows), user=civil_affairs_officer).created == 2


def test_a_childcare_provider_cannot_have_orders(world):
    nursery = t.make_provider(t.VILLAGE_A1, kind="childcare_standalone")
    nursery.credit_code = t.credit_code()
    nursery.save()
    outcome = import_orders(as_csv([row(nursery, world.elder, world.items["meal"], "N1")]))
    assert outcome.errors[0].message == "该机构不是养老服务机构"


# Approved settlements ---------------------------------------------------------------------------


def test_an_approved_month_is_locked_for_new_and_changed_orders(world, civil_affairs_officer):
    meal = world.items["meal"]
    march = [row(world.station, world.elder, meal, "M1")]
    import_orders(as_csv(march))
    Settlement.objects.create(
        provider=world.station,
        month=dt.date(2025, 3, 1),
        status=SettlementStatus.APPROVED,
        approved_by=civil_affairs_officer,
        approved_at=timezone.now(),
    )
    assert import_orders(as_csv(march)).unchanged == 1
    april = row(world.station, world.elder, meal, "M3", 预约开始时间="2025-04-01 09:00")
    april.update(预约结束时间="", 签到时间="", 签退时间="")
    added = row(world.station, world.elder, meal, "M2")
    moved = dict(march[0], 预约开始时间="2025-04-02 09:00", 预约结束时间="")
    moved.update(签到时间="", 签退时间="")
    outcome = import_orders(as_csv([moved, added, april]))
    assert [(e.row, e.header, e.message) for e in outcome.errors] == [
        (2, "预约开始时间", "2025年03月的结算单已审核，不能新增或修改该月的工单"),
        (3, "预约开始时间", "2025年03月的结算单已审核，不能新增或修改该月的工单"),
    ]
    assert ServiceOrder.objects.count() == 1
    assert import_orders(as_csv([april])).created == 1


# Indicators -------------------------------------------------------------------------------------


def x01_values() -> dict:
    rows = IndicatorValue.objects.filter(indicator__code="X01", period__in=("202503", "2025Q1"))
    return {(v.area_id, v.period): (v.numerator, v.denominator) for v in rows}


def test_indicators_follow_a_bulk_import(world, settings, django_capture_on_commit_callbacks):
    """Bulk writes bypass the signals: X01 (which counts government-funded completed orders)
    is recomputed after the import commits, to what a full computation gives."""
    settings.CARECIRCLE_LIVE_INDICATORS = True
    for person in (world.elder, world.elder_a2):  # born 1940 and 1942: 80 or older in 2025
        HardshipFlag.objects.create(person=person, kind="minimum_living", valid_from=D2020)
    with time_machine.travel(dt.datetime(2025, 3, 31, 20), tick=False):
        compute(["X01"], ["202503", "2025Q1"])
        before = x01_values()
        with django_capture_on_commit_callbacks(execute=True):
            outcome = import_orders(as_csv(orders(world, 40)))
        assert outcome.created == 40
        live = x01_values()
        compute(["X01"], ["202503", "2025Q1"])
    city = t.area(t.CITY).pk
    assert live == x01_values()
    assert before[(city, "202503")] == (0, 2)
    assert live[(city, "202503")] == (2, 2)
