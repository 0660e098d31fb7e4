import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from carecircle.audit.models import AuditEvent
from carecircle.core import testing as t
from carecircle.core.imports import ERROR_FILL, run_import
from carecircle.core.models import ImportJob
from carecircle.institutions.choices import CreditStatus, ListKind
from carecircle.institutions.importers import ProviderImporter, StaffImporter
from carecircle.institutions.models import CapacityRecord, Provider, Staff
from carecircle.institutions.tests.conftest import make_listing, make_staff

pytestmark = pytest.mark.django_db

PROVIDER_HEADERS = [
    "机构名称",
    "机构类型",
    "性质",
    "所在区划代码",
    "统一社会信用代码",
    "床位总数",
    "护理型床位",
    "自动喷淋",
]
STAFF_HEADERS = ["机构名称", "姓名", "身份证号", "岗位", "技能等级", "入职日期", "离职日期"]


def provider_rows():
    return [
        [
            "海安镇中心敬老院",
            "农村敬老院（特困供养服务机构）",
            "公办",
            t.VILLAGE_A1,
            t.credit_code(301),
            120,
            60,
            "是",
        ],
        ["拥徐日间照料中心", "日间照料中心", "公办", t.VILLAGE_A2, "", None, None, None],
    ]


def test_template_download(client, civil_affairs_officer):
    client.force_login(civil_affairs_officer)
    response = client.get(reverse("core:import", args=["providers"]), {"template": "xlsx"})
    assert response.status_code == 200
    header = [c.value for c in load_workbook(io.BytesIO(response.content)).active[1]]
    assert header[:4] == ["机构名称", "机构类型", "性质", "所在区划代码"]
    assert "床位总数" in header and "容量生效日期" in header
    response = client.get(reverse("core:import", args=["staff"]), {"template": "xlsx"})
    header = [c.value for c in load_workbook(io.BytesIO(response.content)).active[1]]
    assert "身份证号" in header


def test_import_permissions(client, town_officer, institution_user):
    client.force_login(town_officer)  # town officers may not import providers
    assert client.get(reverse("core:import", args=["providers"])).status_code == 403
    assert client.get(reverse("core:import", args=["staff"])).status_code == 200
    client.force_login(institution_user)
    assert client.get(reverse("core:import", args=["staff"])).status_code == 200


def test_provider_import_creates_then_is_idempotent(civil_affairs_officer):
    data = t.xlsx(PROVIDER_HEADERS, provider_rows())
    outcome = run_import(ProviderImporter(civil_affairs_officer), data)
    assert outcome.ok, outcome.messages()
    assert (outcome.created, outcome.updated, outcome.unchanged) == (2, 0, 0)
    home = Provider.objects.get(name="海安镇中心敬老院")
    assert home.domain == "elderly" and home.kind == "rural_home" and home.has_sprinklers
    assert home.capacity_on(timezone.localdate()).beds_total == 120
    assert home.history.first().history_user == civil_affairs_officer
    assert not Provider.objects.get(name="拥徐日间照料中心").capacity_records.exists()

    again = run_import(ProviderImporter(civil_affairs_officer), data)
    assert again.ok
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert CapacityRecord.objects.count() == 1
    assert home.history.count() == 1


def test_provider_import_updates_changed_rows_and_capacity(civil_affairs_officer):
    run_import(ProviderImporter(civil_affairs_officer), t.xlsx(PROVIDER_HEADERS, provider_rows()))
    rows = provider_rows()
    rows[0][5] = 150  # more beds
    rows[1][7] = "是"
    outcome = run_import(ProviderImporter(civil_affairs_officer), t.xlsx(PROVIDER_HEADERS, rows))
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 2, 0)
    home = Provider.objects.get(name="海安镇中心敬老院")
    record = home.capacity_on(timezone.localdate())
    assert (record.beds_total, record.beds_nursing) == (150, 60)
    assert home.capacity_records.count() == 1  # same day: the record is corrected, not doubled
    assert Provider.objects.get(name="拥徐日间照料中心").has_sprinklers


def test_capacity_with_a_date_adds_a_record_only_when_it_differs(civil_affairs_officer, provider_a):
    headers = [
        "机构名称",
        "机构类型",
        "性质",
        "所在区划代码",
        "统一社会信用代码",
        "床位总数",
        "容量生效日期",
    ]
    same = [
        [
            provider_a.name,
            "民办养老机构",
            "民办",
            t.VILLAGE_A1,
            provider_a.credit_code,
            100,
            "2024-06-01",
        ]
    ]
    outcome = run_import(ProviderImporter(civil_affairs_officer), t.xlsx(headers, same))
    assert (outcome.updated, outcome.unchanged) == (0, 1)
    changed = [[*same[0][:5], 110, "2024-06-01"]]
    outcome = run_import(ProviderImporter(civil_affairs_officer), t.xlsx(headers, changed))
    assert outcome.updated == 1
    assert provider_a.capacity_records.count() == 3
    assert provider_a.capacity_on(dt.date(2024, 6, 1)).beds_nursing == 60  # kept from before


def test_bad_row_writes_nothing_and_the_report_marks_the_cell(civil_affairs_officer):
    rows = provider_rows()
    rows[1][3] = "999999999"  # unknown area code
    outcome = run_import(ProviderImporter(civil_affairs_officer), t.xlsx(PROVIDER_HEADERS, rows))
    assert not outcome.ok
    assert outcome.created == 0
    assert not Provider.objects.exists()
    assert not CapacityRecord.objects.exists()
    sheet = load_workbook(io.BytesIO(outcome.error_report)).active
    cell = sheet.cell(row=3, column=4)  # row 3 = second data row, column D = 所在区划代码
    assert cell.fill.fgColor.rgb.endswith(ERROR_FILL.fgColor.rgb[-6:])
    assert "区划代码不存在或不在您的管辖范围内" in cell.comment.text
    assert "第3行“所在区划代码”列" in sheet.cell(row=3, column=len(PROVIDER_HEADERS) + 1).value
    assert sheet.cell(row=2, column=4).comment is None


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        (4, t.TOWN_B, "区划代码不存在或不在您的管辖范围内"),
        (2, "托育机构", "该机构类型不在您的业务范围内"),
        (5, "91320685MA1XXXXXX0", "统一社会信用代码无效"),
        (7, 500, "护理型床位不能超过床位总数"),
    ],
)
def test_row_checks(town_officer, civil_affairs_officer, column, value, message):
    user = civil_affairs_officer if column in (2, 7) else town_officer
    rows = provider_rows()[:1]
    rows[0][column - 1] = value
    outcome = run_import(ProviderImporter(user), t.xlsx(PROVIDER_HEADERS, rows))
    assert not outcome.ok
    [error] = outcome.errors
    assert error.column == column - 1
    assert message in error.message


def test_blacklisted_organisation_is_refused_on_import(civil_affairs_officer):
    code = t.credit_code(301)
    make_listing(credit_code=code, kind=ListKind.BLACK)
    outcome = run_import(
        ProviderImporter(civil_affairs_officer), t.xlsx(PROVIDER_HEADERS, provider_rows())
    )
    assert not outcome.ok
    assert "该机构已被列入信用惩戒名单，不能登记" in outcome.errors[0].message
    assert not Provider.objects.exists()


def test_staff_import_idempotent_and_lifetime_ban(town_officer, provider_a):
    first, second = t.resident_id(), t.resident_id(male=False)
    rows = [
        [provider_a.name, "王护理", first, "养老护理员", "四级/中级工", "2021-05-01", None],
        [provider_a.name, "陈护士", second, "护士", None, "2022-07-01", None],
    ]
    outcome = run_import(StaffImporter(town_officer), t.xlsx(STAFF_HEADERS, rows))
    assert outcome.ok, outcome.messages()
    assert outcome.created == 2
    staff = Staff.objects.get(name="王护理")
    assert staff.id_number == first and staff.skill_level == "4"
    again = run_import(StaffImporter(town_officer), t.xlsx(STAFF_HEADERS, rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)

    banned = t.resident_id()
    make_listing(id_number=banned, kind=ListKind.LIFETIME_BAN)
    rows.append([provider_a.name, "禁入者", banned, "养老护理员", None, "2024-01-01", None])
    rows[0][6] = "2024-12-31"  # would be an update, but the file is refused as a whole
    outcome = run_import(StaffImporter(town_officer), t.xlsx(STAFF_HEADERS, rows))
    assert not outcome.ok
    [error] = outcome.errors
    assert (error.row, error.column) == (4, 2)
    assert "终身禁入" in error.message
    assert banned not in " ".join(outcome.messages())
    assert Staff.objects.count() == 2
    assert Staff.objects.get(name="王护理").left_on is None


def test_institution_user_imports_into_their_own_provider(institution_user, provider_a, provider_b):
    headers = ["姓名", "身份证号", "岗位", "入职日期"]
    rows = [["刘阿姨", t.resident_id(male=False), "养老护理员", "2023-02-01"]]
    outcome = run_import(StaffImporter(institution_user), t.xlsx(headers, rows))
    assert outcome.ok, outcome.messages()
    assert Staff.objects.get().provider == provider_a
    other = [[provider_b.name, *rows[0]]]
    outcome = run_import(StaffImporter(institution_user), t.xlsx(["机构名称", *headers], other))
    assert "未找到该机构，或不在您的管辖范围内" in outcome.errors[0].message


def test_staff_import_sets_credit_status_from_watch_list(town_officer, provider_a):
    number = t.resident_id()
    make_listing(id_number=number, kind=ListKind.WATCH)
    rows = [[provider_a.name, "关注者", number, "其他", None, "2024-01-01", None]]
    assert run_import(StaffImporter(town_officer), t.xlsx(STAFF_HEADERS, rows)).ok
    assert Staff.objects.get().credit_status == CreditStatus.WATCH


def test_rehired_person_gets_a_new_record(town_officer, provider_a):
    number = t.resident_id()
    make_staff(
        provider_a, id_number=number, hired_on=dt.date(2018, 1, 1), left_on=dt.date(2019, 1, 1)
    )
    rows = [[provider_a.name, "李护理", number, "养老护理员", None, "2024-01-01", None]]
    outcome = run_import(StaffImporter(town_officer), t.xlsx(STAFF_HEADERS, rows))
    assert outcome.created == 1
    assert Staff.objects.count() == 2


def test_upload_through_the_page_and_error_report(client, civil_affairs_officer):
    client.force_login(civil_affairs_officer)
    url = reverse("core:import", args=["providers"])
    rows = provider_rows()
    rows[0][2] = "外资"
    upload = io.BytesIO(t.xlsx(PROVIDER_HEADERS, rows))
    upload.name = "机构.xlsx"
    response = client.post(url, {"file": upload})
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("core:import-job", args=[job.uuid])
    assert job.status == ImportJob.Status.FAILED
    report = client.get(response["Location"], {"report": "xlsx"})
    cell = load_workbook(io.BytesIO(report.content)).active.cell(row=2, column=3)
    assert "取值应为" in cell.comment.text
    assert not Provider.objects.exists()
    assert AuditEvent.objects.filter(action="import", outcome="failure").count() == 1

    upload = io.BytesIO(t.xlsx(PROVIDER_HEADERS, provider_rows()))
    upload.name = "机构.xlsx"
    client.post(url, {"file": upload})
    job = ImportJob.objects.order_by("-started_at").first()
    assert (job.status, job.created) == (ImportJob.Status.DONE, 2)
