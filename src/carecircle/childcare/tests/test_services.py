"""The filing workflow: facts, required documents, the state machine, the provider's filing
status, deadlines and the public list."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from carecircle.accounts.choices import Role
from carecircle.childcare import services
from carecircle.childcare.choices import (
    REQUIRED_DOCUMENTS,
    DocumentKind,
    FilingPurpose,
    FilingState,
    PremisesTenure,
    RegistrationAuthority,
    RegistrationType,
)
from carecircle.childcare.models import Filing, FilingNotice
from carecircle.childcare.tests.conftest import attach_documents, make_filing
from carecircle.childcare.workdays import WorkingCalendar
from carecircle.core import testing as t
from carecircle.institutions.choices import FilingStatus

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 9, 26)  # a Friday before the National Day holiday


@pytest.fixture
def officer(db):
    return t.make_user(Role.HEALTH_OFFICER, area_code=t.CITY, username="reviewer")


def test_a_complete_filing_has_no_problems(centre):
    filing = make_filing(centre)
    attach_documents(filing)
    assert services.submission_errors(filing, TODAY) == []


def test_every_required_document_is_needed(centre):
    filing = make_filing(centre)
    attach_documents(filing, [k for k in REQUIRED_DOCUMENTS if k != DocumentKind.FIRE_SAFETY])
    assert services.missing_documents(filing) == [DocumentKind.FIRE_SAFETY.label]
    with pytest.raises(ValidationError) as caught:
        services.submit(filing, None, TODAY)
    assert any("消防安全检查合格证明" in m for m in caught.value.messages)
    filing.refresh_from_db()
    assert filing.state == FilingState.DRAFT


def test_other_documents_are_not_required(centre):
    filing = make_filing(centre)
    attach_documents(filing)
    assert DocumentKind.OTHER not in REQUIRED_DOCUMENTS
    assert services.missing_documents(filing) == []


def test_commitment_must_be_signed(centre):
    filing = make_filing(centre, commitment_signed=False)
    attach_documents(filing)
    assert services.submission_errors(filing, TODAY) == ["请先签署备案承诺书"]


@pytest.mark.parametrize(
    ("places", "carers", "field"),
    [
        (6, 2, "places"),  # more than 5 children: an institution, not a family point
        (5, 1, "carers"),  # 5 children need 2 carers (1 per 3)
        (4, 1, "carers"),
        (3, 0, "carers"),
    ],
)
def test_family_point_limits_refused(family_point, places, carers, field):
    filing = make_filing(family_point, places=places, carers=carers)
    assert field in services.fact_errors(filing)


@pytest.mark.parametrize(("places", "carers"), [(5, 2), (3, 1), (1, 1), (6 - 1, 3)])
def test_family_point_limits_met(family_point, places, carers):
    filing = make_filing(family_point, places=places, carers=carers)
    assert services.fact_errors(filing) == {}


def test_family_point_limits_are_settings(family_point, settings):
    settings.CARECIRCLE_FAMILY_POINT_MAX_CHILDREN = 6
    filing = make_filing(family_point, places=6, carers=2)
    assert services.fact_errors(filing) == {}


def test_family_point_scope_and_name(family_point):
    filing = make_filing(family_point, business_scope="托育服务")
    assert "business_scope" in services.fact_errors(filing)
    family_point.name = "拥徐小苗之家"
    filing = make_filing(family_point, state=FilingState.FILED, submitted_on=TODAY)
    assert "__all__" in services.fact_errors(filing)


def test_registration_authority_follows_the_type(centre):
    filing = make_filing(
        centre,
        registration_type=RegistrationType.SOCIAL_SERVICE,
        registration_authority=RegistrationAuthority.MARKET_REGULATION,
    )
    assert services.fact_errors(filing)["registration_authority"] == [
        "社会服务机构（民办非企业单位）应在民政部门登记"
    ]


def test_business_scope_states_childcare(centre):
    filing = make_filing(centre, business_scope="早期教育咨询")
    assert services.fact_errors(filing)["business_scope"] == ["业务范围须载明“托育服务”"]


def test_lease_of_at_least_three_years(centre):
    short = make_filing(
        centre, lease_starts_on=dt.date(2024, 1, 1), lease_ends_on=dt.date(2026, 12, 31)
    )
    assert services.fact_errors(short)["lease_ends_on"] == ["租赁期不少于3年"]
    short.lease_ends_on = dt.date(2027, 1, 1)
    assert services.fact_errors(short) == {}
    expired = make_filing(centre, state=FilingState.FILED, submitted_on=TODAY)
    expired.lease_starts_on, expired.lease_ends_on = dt.date(2020, 1, 1), dt.date(2025, 1, 1)
    assert "租赁已到期" in services.fact_errors(expired, TODAY)["lease_ends_on"]
    owned = make_filing(
        centre,
        state=FilingState.FILED,
        submitted_on=TODAY,
        premises_tenure=PremisesTenure.OWNED,
        lease_starts_on=None,
        lease_ends_on=None,
    )
    assert services.fact_errors(owned) == {}


def test_invalid_credit_code(centre):
    valid = t.credit_code(77)
    wrong = valid[:-1] + ("0" if valid[-1] != "0" else "1")
    filing = make_filing(centre, credit_code=wrong)
    assert "credit_code" in services.fact_errors(filing)


def test_submit_approve_updates_the_provider(centre, officer):
    filing = make_filing(centre)
    attach_documents(filing)
    services.submit(filing, None, TODAY)
    filing.refresh_from_db()
    assert (filing.state, filing.submitted_on, filing.first_submitted_on) == (
        FilingState.SUBMITTED,
        TODAY,
        TODAY,
    )
    decided = dt.date(2025, 10, 9)
    services.approve(filing, officer, decided)
    filing.refresh_from_db()
    centre.refresh_from_db()
    assert filing.state == FilingState.FILED
    assert filing.filing_no == "TY20250001"
    assert filing.decided_by == officer
    assert (centre.filing_status, centre.filed_on) == (FilingStatus.FILED, decided)
    assert centre.history.first().filing_status == FilingStatus.FILED  # the change is recorded


def test_problems_then_resubmission(centre, officer):
    filing = make_filing(centre)
    attach_documents(filing)
    services.submit(filing, None, TODAY)
    notice = services.notify_problems(
        filing, officer, "场地证明模糊，请重新上传", dt.date(2025, 9, 30)
    )
    filing.refresh_from_db()
    assert filing.state == FilingState.NEEDS_CORRECTION
    assert (notice.issued_on, notice.issued_by) == (dt.date(2025, 9, 30), officer)
    assert filing.is_editable
    with pytest.raises(ValidationError):
        services.approve(filing, officer, TODAY)  # nothing to decide until resubmitted
    services.submit(filing, None, dt.date(2025, 10, 10))
    filing.refresh_from_db()
    assert (filing.state, filing.submitted_on, filing.first_submitted_on) == (
        FilingState.SUBMITTED,
        dt.date(2025, 10, 10),
        TODAY,
    )


def test_invalid_transitions(centre, officer):
    filing = make_filing(centre)
    attach_documents(filing)
    with pytest.raises(ValidationError):
        services.approve(filing, officer, TODAY)  # a draft
    with pytest.raises(ValidationError):
        services.notify_problems(filing, officer, "x", TODAY)
    services.submit(filing, None, TODAY)
    with pytest.raises(ValidationError):
        services.submit(filing, None, TODAY)  # already submitted
    services.approve(filing, officer, TODAY)
    with pytest.raises(ValidationError):
        services.notify_problems(filing, officer, "x", TODAY)
    with pytest.raises(ValidationError):
        services.notify_problems(make_filing(centre), officer, "  ", TODAY)


def test_notice_needs_text(centre, officer):
    filing = make_filing(centre)
    attach_documents(filing)
    services.submit(filing, None, TODAY)
    with pytest.raises(ValidationError):
        services.notify_problems(filing, officer, "   ", TODAY)
    assert not FilingNotice.objects.exists()


def test_one_open_filing_per_provider(centre):
    make_filing(centre)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_filing(centre)


def _filed(provider, officer, day=TODAY) -> Filing:
    filing = make_filing(provider)
    attach_documents(filing)
    services.submit(filing, None, day)
    return services.approve(filing, officer, day)


def test_change_keeps_the_first_filing_date(centre, officer):
    first = _filed(centre, officer)
    assert services.can_follow(first)
    change = services.start_follow_up(first, FilingPurpose.CHANGE)
    assert (change.state, change.previous, change.places) == (FilingState.DRAFT, first, 20)
    assert not services.can_follow(first)  # a change is open
    change.change_summary = "托位由20个增加到30个"
    change.places = 30
    change.commitment_signed = True  # each filing carries its own signed commitment
    change.save()
    assert services.missing_documents(change) == ["变更事项的证明材料"]
    attach_documents(change, [DocumentKind.PREMISES])
    services.submit(change, None, dt.date(2025, 11, 3))
    services.approve(change, officer, dt.date(2025, 11, 5))
    centre.refresh_from_db()
    assert (centre.filing_status, centre.filed_on) == (FilingStatus.FILED, TODAY)
    assert services.filing_in_force(centre).pk == change.pk


def test_closure_revokes_and_leaves_the_public_list(centre, family_point, officer):
    first = _filed(centre, officer)
    _filed(family_point, officer)
    assert set(services.public_filings()) == {first, family_point.filings.get()}
    closure = services.start_follow_up(first, FilingPurpose.CLOSURE)
    closure.change_summary = "停止经营"
    closure.commitment_signed = True
    closure.save()
    assert services.submission_errors(closure, TODAY) == []  # no documents needed to close
    services.submit(closure, None, TODAY)
    services.approve(closure, officer, TODAY)
    centre.refresh_from_db()
    assert centre.filing_status == FilingStatus.REVOKED
    assert services.filing_in_force(centre) is None
    assert list(services.public_filings()) == [family_point.filings.get()]


def test_public_list_shows_only_approved_filings(centre, family_point, town_b_centre, officer):
    filed = _filed(centre, officer)
    pending = make_filing(family_point)
    attach_documents(pending)
    services.submit(pending, None, TODAY)
    make_filing(town_b_centre)  # a draft
    assert list(services.public_filings()) == [filed]


def test_deadline_and_overdue_flag(centre):
    filing = make_filing(centre)
    attach_documents(filing)
    services.submit(filing, None, dt.date(2025, 9, 26))
    calendar = WorkingCalendar()
    on_time = services.deadline(filing, dt.date(2025, 10, 10), calendar)
    assert (on_time.due_on, on_time.working_days_left, on_time.overdue) == (
        dt.date(2025, 10, 10),
        0,
        False,
    )
    # 15 working days: 28, 29, 30 Sep; 9, 10, 11, 13–17, 20–23 Oct.
    assert on_time.notice_due_on == dt.date(2025, 10, 23)
    late = services.deadline(filing, dt.date(2025, 10, 14), calendar)
    assert (late.overdue, late.overdue_days) == (True, 3)  # Sat 11 (worked), 13, 14 Oct
    weekend = services.deadline(filing, dt.date(2025, 10, 12), calendar)
    assert (weekend.overdue, weekend.overdue_days) == (True, 1)
    assert services.deadline(make_filing(family_point_free(centre)), TODAY, calendar) is None


def family_point_free(centre):
    """Another provider without a filing (a draft has no deadline)."""
    return t.make_provider(t.VILLAGE_A1, kind="community_point", name="钟涵社区托育点")


def test_deadline_decided_late(centre, officer):
    filing = make_filing(centre)
    attach_documents(filing)
    services.submit(filing, None, dt.date(2025, 9, 26))
    services.approve(filing, officer, dt.date(2025, 10, 13))
    filing.refresh_from_db()
    info = services.deadline(filing, dt.date(2025, 10, 20), WorkingCalendar())
    assert (info.overdue, info.decided_late, info.working_days_left) == (False, True, None)
