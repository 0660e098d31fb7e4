"""Filing pages: uploads and scoped downloads, the workflow through the pages, the review queue,
the public list, networks, chains and employer-run childcare; scope 404s."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from carecircle.audit.choices import AuditAction
from carecircle.audit.models import AuditEvent
from carecircle.childcare import services
from carecircle.childcare.choices import DocumentKind, FilingState
from carecircle.childcare.models import BrandChain, CareNetwork, Filing, FilingDocument
from carecircle.childcare.tests.conftest import (
    PDF_BYTES,
    attach_documents,
    make_filing,
    pdf_upload,
    png_bytes,
)
from carecircle.childcare.workdays import WorkingCalendar
from carecircle.core import testing as t
from carecircle.institutions.choices import FilingStatus

pytestmark = pytest.mark.django_db

LIST = reverse("childcare:filing-list")
QUEUE = reverse("childcare:filing-queue")
PUBLIC = reverse("childcare:public-filed")


def detail(filing):
    return reverse("childcare:filing-detail", args=[filing.uuid])


def upload(client, filing, kind, file):
    url = reverse("childcare:document-create", args=[filing.uuid])
    return client.post(url, {"kind": kind, "file": file})


# Documents ------------------------------------------------------------------------------------


def test_upload_is_stored_under_a_random_name_and_served_scoped(
    client, centre, centre_staff, settings
):
    filing = make_filing(centre)
    client.force_login(centre_staff)
    response = upload(client, filing, DocumentKind.LICENCE, pdf_upload("营业执照.pdf"))
    assert response.status_code == 302
    document = FilingDocument.objects.get(filing=filing)
    assert (document.original_name, document.content_type, document.size) == (
        "营业执照.pdf",
        "application/pdf",
        len(PDF_BYTES),
    )
    stored = Path(document.file.path)
    assert stored.is_relative_to(settings.MEDIA_ROOT)
    assert stored.read_bytes() == PDF_BYTES
    assert "营业执照" not in document.file.name and document.file.name.endswith(".pdf")
    with pytest.raises(ValueError):
        document.file.url  # no public URL exists  # noqa: B018
    download = client.get(reverse("childcare:document-download", args=[document.uuid]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW_RECORD, object_id=str(document.uuid)
    ).exists()


def test_png_accepted(client, centre, centre_staff):
    filing = make_filing(centre)
    client.force_login(centre_staff)
    png = SimpleUploadedFile("场地.png", png_bytes(), content_type="image/png")
    assert upload(client, filing, DocumentKind.PREMISES, png).status_code == 302
    assert filing.documents.get().content_type == "image/png"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("证明.pdf", png_bytes(), "文件内容与类型不符"),  # a PNG named .pdf
        ("证明.png", PDF_BYTES, "文件内容与类型不符"),
        ("证明.exe", PDF_BYTES, "只接受 PDF、JPEG 或 PNG 文件"),
        ("证明.pdf", b"<html>not a pdf</html>", "文件内容与类型不符"),
    ],
)
def test_bad_uploads_refused(client, centre, centre_staff, name, content, message):
    filing = make_filing(centre)
    client.force_login(centre_staff)
    response = upload(client, filing, DocumentKind.LICENCE, SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not FilingDocument.objects.exists()


def test_upload_size_limit(client, centre, centre_staff, settings):
    settings.CARECIRCLE_FILING_DOCUMENT_MAX_BYTES = 10
    filing = make_filing(centre)
    client.force_login(centre_staff)
    response = upload(client, filing, DocumentKind.LICENCE, pdf_upload())
    assert "文件过大" in response.content.decode()
    assert not FilingDocument.objects.exists()


def test_documents_of_another_institution_are_404(client, centre, centre_staff, other_staff):
    filing = make_filing(centre)
    client.force_login(centre_staff)
    upload(client, filing, DocumentKind.LICENCE, pdf_upload())
    document = FilingDocument.objects.get()
    client.force_login(other_staff)
    assert (
        client.get(reverse("childcare:document-download", args=[document.uuid])).status_code == 404
    )
    assert client.get(detail(filing)).status_code == 404
    delete = reverse("childcare:document-delete", args=[document.uuid])
    assert client.post(delete).status_code == 404
    assert FilingDocument.objects.exists()


def test_documents_need_sign_in(client, centre):
    filing = make_filing(centre)
    attach_documents(filing, [DocumentKind.LICENCE])
    document = FilingDocument.objects.get()
    response = client.get(reverse("childcare:document-download", args=[document.uuid]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_health_officer_downloads_and_town_b_does_not(
    client, centre, health_officer, town_b_officer
):
    filing = make_filing(centre)
    client.force_login(health_officer)
    upload(client, filing, DocumentKind.LICENCE, pdf_upload())  # on behalf of the centre
    document = FilingDocument.objects.get()
    url = reverse("childcare:document-download", args=[document.uuid])
    assert client.get(url).status_code == 200
    client.force_login(town_b_officer)
    assert client.get(url).status_code == 404


def test_documents_locked_after_submission(client, centre, centre_staff):
    filing = make_filing(centre)
    attach_documents(filing)
    services.submit(filing, None, timezone.localdate())
    client.force_login(centre_staff)
    response = upload(client, filing, DocumentKind.OTHER, pdf_upload())
    assert response.status_code == 302
    assert not filing.documents.filter(kind=DocumentKind.OTHER).exists()
    document = filing.documents.first()
    client.post(reverse("childcare:document-delete", args=[document.uuid]))
    assert FilingDocument.objects.filter(pk=document.pk).exists()


# The workflow through the pages -----------------------------------------------------------------


def filing_form(provider, **extra):
    data = {
        "provider": provider.pk,
        "registration_type": "for_profit",
        "registration_authority": "",
        "credit_code": provider.credit_code,
        "business_scope": "托育服务",
        "premises_address": "幸福路1号",
        "premises_tenure": "leased",
        "lease_starts_on": "2024-01-01",
        "lease_ends_on": "2030-12-31",
        "places": "20",
        "classes_planned": "2",
        "carers": "4",
        "commitment_signed": "on",
    }
    data.update(extra)
    return data


def test_staff_creates_uploads_and_submits(client, centre, centre_staff, settings):
    client.force_login(centre_staff)
    response = client.post(reverse("childcare:filing-create"), filing_form(centre))
    assert response.status_code == 302, response.context["form"].errors
    filing = Filing.objects.get()
    assert filing.registration_authority == "market_regulation"  # follows the type
    page = client.get(detail(filing)).content.decode()
    assert "缺少材料" in page
    for kind in ("licence", "premises", "staff", "health_evaluation", "fire_safety"):
        upload(client, filing, kind, pdf_upload(f"{kind}.pdf"))
    client.post(reverse("childcare:filing-submit", args=[filing.uuid]))
    filing.refresh_from_db()
    assert (filing.state, filing.submitted_on) == (FilingState.SUBMITTED, timezone.localdate())
    # The institution cannot decide its own filing.
    approve = reverse("childcare:filing-approve", args=[filing.uuid])
    assert client.post(approve).status_code == 403


def test_form_refuses_a_family_point_over_the_limits(client, family_point, health_officer):
    client.force_login(health_officer)
    data = filing_form(
        family_point,
        credit_code=t.credit_code(902),
        business_scope="家庭托育服务",
        places="6",
        carers="1",
        classes_planned="0",
    )
    response = client.post(reverse("childcare:filing-create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "家庭托育点最多收托5名婴幼儿" in errors["places"][0]
    assert "至少需要2名照护人员" in errors["carers"][0]
    assert not Filing.objects.exists()


def test_staff_can_only_file_for_their_own_institution(client, centre_staff, town_b_centre):
    client.force_login(centre_staff)
    response = client.post(reverse("childcare:filing-create"), filing_form(town_b_centre))
    assert response.status_code == 200
    assert "provider" in response.context["form"].errors


def test_review_queue_approve_and_notice(client, centre, family_point, health_officer):
    old = make_filing(centre)
    attach_documents(old)
    today = timezone.localdate()
    calendar = WorkingCalendar()
    ten_ago = today
    for _ in range(10):
        ten_ago -= dt.timedelta(days=1)
        while not calendar.is_working_day(ten_ago):
            ten_ago -= dt.timedelta(days=1)
    services.submit(old, None, ten_ago)
    fresh = make_filing(family_point)
    attach_documents(fresh)
    services.submit(fresh, None, today)
    client.force_login(health_officer)
    response = client.get(QUEUE)
    rows = response.context["table_rows"]
    assert [obj for obj, *_ in rows] == [old, fresh]  # oldest first
    assert [due.overdue for *_, due in rows] == [True, False]
    assert (response.context["pending"], response.context["overdue"]) == (2, 1)
    assert "已超期" in response.content.decode()
    only_overdue = client.get(QUEUE, {"overdue": "true"}, HTTP_HX_REQUEST="true")
    assert [obj for obj, *_ in only_overdue.context["table_rows"]] == [old]

    client.post(reverse("childcare:filing-approve", args=[old.uuid]))
    old.refresh_from_db()
    centre.refresh_from_db()
    assert old.state == FilingState.FILED and centre.filing_status == FilingStatus.FILED
    notice_url = reverse("childcare:filing-notice", args=[fresh.uuid])
    client.post(notice_url, {"text": "请补充照护人员健康证明", "published": "on"})
    fresh.refresh_from_db()
    assert fresh.state == FilingState.NEEDS_CORRECTION
    assert fresh.notices.get().published


def test_queue_needs_the_review_permission(client, centre_staff, city_officer):
    client.force_login(centre_staff)
    assert client.get(QUEUE).status_code == 403
    client.force_login(city_officer)
    assert client.get(QUEUE).status_code == 403
    assert client.get(LIST).status_code == 200  # the city reads the filings


def test_lists_are_scoped(
    client, centre, town_b_centre, centre_staff, town_b_officer, elderly_officer
):
    mine, theirs = make_filing(centre), make_filing(town_b_centre)
    client.force_login(centre_staff)
    assert [o for o, *_ in client.get(LIST).context["table_rows"]] == [mine]
    assert client.get(detail(theirs)).status_code == 404
    client.force_login(town_b_officer)
    assert [o for o, *_ in client.get(LIST).context["table_rows"]] == [theirs]
    assert client.get(detail(mine)).status_code == 404
    client.force_login(elderly_officer)  # town A, elderly care only
    assert client.get(detail(mine)).status_code == 404


def test_list_export_is_scoped(client, centre, town_b_centre, town_b_officer):
    make_filing(centre)
    make_filing(town_b_centre)
    client.force_login(town_b_officer)
    response = client.get(LIST, {"export": "xlsx"})
    text = t.xlsx_text(response.content)
    assert town_b_centre.name in text and centre.name not in text


def test_follow_up_from_the_page(client, centre, health_officer):
    filing = make_filing(centre)
    attach_documents(filing)
    services.submit(filing, None, timezone.localdate())
    services.approve(filing, health_officer, timezone.localdate())
    client.force_login(health_officer)
    url = reverse("childcare:filing-follow-up", args=[filing.uuid, "closure"])
    response = client.post(url)
    draft = Filing.objects.get(previous=filing)
    assert response["Location"] == reverse("childcare:filing-update", args=[draft.uuid])
    assert (
        client.post(reverse("childcare:filing-follow-up", args=[filing.uuid, "other"])).status_code
        == 404
    )


# The public list --------------------------------------------------------------------------------


def test_public_list_needs_no_sign_in_and_shows_only_approved(
    client, centre, family_point, town_b_centre, health_officer
):
    today = timezone.localdate()
    approved = make_filing(centre)
    attach_documents(approved)
    services.submit(approved, None, today)
    services.approve(approved, health_officer, today)
    pending = make_filing(family_point)
    attach_documents(pending)
    services.submit(pending, None, today)
    make_filing(town_b_centre)
    response = client.get(PUBLIC)
    assert response.status_code == 200
    page = response.content.decode()
    assert centre.name in page and approved.filing_no in page
    assert family_point.name not in page and town_b_centre.name not in page
    # No personal data: neither the legal representative, the phone nor the address.
    for private in ("王大明", "13812345678", "幸福路1号", centre.credit_code):
        assert private not in page
    assert client.post(PUBLIC).status_code == 405


def test_public_list_filters(client, centre, health_officer):
    filing = make_filing(centre)
    attach_documents(filing)
    services.submit(filing, None, timezone.localdate())
    services.approve(filing, health_officer, timezone.localdate())
    assert centre.name in client.get(PUBLIC, {"town": t.TOWN_A}).content.decode()
    assert centre.name not in client.get(PUBLIC, {"town": t.TOWN_B}).content.decode()


def test_published_notices_appear_publicly(client, centre, health_officer):
    filing = make_filing(centre)
    attach_documents(filing)
    services.submit(filing, None, timezone.localdate())
    services.notify_problems(
        filing, health_officer, "未提交消防证明", timezone.localdate(), published=True
    )
    assert "未提交消防证明" in client.get(PUBLIC).content.decode()


# Networks, chains, employer-run -----------------------------------------------------------------


@pytest.fixture
def point_a2(db):
    return t.make_provider(t.VILLAGE_A2, kind="community_point", name="拥徐社区托育点")


@pytest.fixture
def point_b(db):
    return t.make_provider(t.TOWN_B, kind="community_point", name="城东社区托育点")


def test_health_officer_creates_a_network(client, centre, point_a2, health_officer):
    client.force_login(health_officer)
    response = client.post(
        reverse("childcare:network-create"),
        {
            "name": "钟涵1+N网络",
            "hub": centre.pk,
            "satellites": [point_a2.pk],
            "established_on": "2025-03-01",
        },
    )
    assert response.status_code == 302
    network = CareNetwork.objects.get()
    assert list(network.satellites.all()) == [point_a2]
    page = client.get(reverse("childcare:network-detail", args=[network.uuid])).content.decode()
    assert point_a2.name in page


def test_network_hub_must_be_an_institution(client, point_a2, point_b, health_officer):
    client.force_login(health_officer)
    response = client.post(
        reverse("childcare:network-create"),
        {"name": "x", "hub": point_a2.pk, "established_on": "2025-03-01"},
    )
    assert "hub" in response.context["form"].errors


def test_network_scope(client, centre, point_a2, point_b, town_b_officer, village_worker):
    network = CareNetwork.objects.create(
        name="钟涵网络", hub=centre, established_on=dt.date(2025, 1, 1)
    )
    network.satellites.add(point_a2)
    url = reverse("childcare:network-detail", args=[network.uuid])
    client.force_login(town_b_officer)
    assert client.get(url).status_code == 404
    assert client.get(reverse("childcare:network-create")).status_code == 403
    network.satellites.add(point_b)  # now a satellite lies in town B
    page = client.get(url).content.decode()
    assert point_b.name in page and point_a2.name not in page


def test_chain_members_outside_scope_are_hidden_and_kept(
    client, centre, town_b_centre, town_b_officer, health_officer
):
    chain = BrandChain.objects.create(
        name="贝贝托育",
        operator_name="海安贝贝托育服务有限公司",
        operator_credit_code=t.credit_code(),
    )
    chain.members.add(centre, town_b_centre)
    client.force_login(town_b_officer)
    page = client.get(reverse("childcare:chain-detail", args=[chain.uuid])).content.decode()
    assert town_b_centre.name in page and centre.name not in page
    rows = client.get(reverse("childcare:chain-list")).context["table_rows"]
    assert [cells[3] for _o, cells, _u in rows] == [1]
    client.force_login(health_officer)
    assert client.get(reverse("childcare:chain-detail", args=[chain.uuid])).status_code == 200


def test_chain_operator_code_validated(client, centre, health_officer):
    client.force_login(health_officer)
    response = client.post(
        reverse("childcare:chain-create"),
        {"name": "x", "operator_name": "y", "operator_credit_code": "123", "members": [centre.pk]},
    )
    assert "operator_credit_code" in response.context["form"].errors
    assert not BrandChain.objects.exists()


def test_employer_run_list(client, town_officer, town_b_officer):
    run = t.make_provider(t.VILLAGE_A1, kind="employer_run", name="海安某厂职工托育室")
    t.make_provider(t.VILLAGE_A1, kind="childcare_standalone", name="别的托育中心")
    url = reverse("childcare:employer-run-list")
    client.force_login(town_officer)
    assert [o for o, *_ in client.get(url).context["table_rows"]] == [run]
    client.force_login(town_b_officer)
    assert [o for o, *_ in client.get(url).context["table_rows"]] == []


# API ----------------------------------------------------------------------------------------------


def test_api_filings_scoped_with_document_metadata(client, centre, town_b_centre, centre_staff):
    mine = make_filing(centre)
    client.force_login(centre_staff)
    upload(client, mine, DocumentKind.LICENCE, pdf_upload())
    make_filing(town_b_centre)
    data = client.get("/api/childcare-filings/").json()
    assert [row["uuid"] for row in data["results"]] == [str(mine.uuid)]
    document = data["results"][0]["documents"][0]
    assert set(document) == {"uuid", "kind", "original_name", "content_type", "size", "uploaded_at"}
    other = town_b_centre.filings.get()
    assert client.get(f"/api/childcare-filings/{other.uuid}/").status_code == 404
    assert client.post("/api/childcare-filings/", {}).status_code == 405


def test_api_networks_scoped(client, centre, point_b, town_b_officer, health_officer):
    network = CareNetwork.objects.create(name="网", hub=centre, established_on=dt.date(2025, 1, 1))
    client.force_login(town_b_officer)
    assert client.get(f"/api/care-networks/{network.uuid}/").status_code == 404
    client.force_login(health_officer)
    response = client.post(
        "/api/care-networks/",
        {
            "name": "新网",
            "hub": str(centre.uuid),
            "satellites": [str(point_b.uuid)],
            "established_on": "2025-01-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["satellites"] == [str(point_b.uuid)]
