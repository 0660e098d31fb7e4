"""The filing workflow: draft → submitted → filed, or → needs correction → submitted again; later
changes (变更备案) and closure (注销备案). Approving a filing updates the provider's filing status
here, so the registry and the indicators (C12) follow the decision.

Facts are checked against 托育机构登记和备案办法（试行） and 家庭托育点管理办法（试行）
(``../shared/spec/domain-facts.md`` §3.2–3.3). Local numbers come from settings with the national
values as defaults.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from carecircle.childcare.choices import (
    AUTHORITY_BY_TYPE,
    EDITABLE_STATES,
    OPEN_STATES,
    REQUIRED_DOCUMENTS,
    DocumentKind,
    FilingKind,
    FilingPurpose,
    FilingState,
    PremisesTenure,
    filing_kind_for,
)
from carecircle.childcare.documents import check_upload
from carecircle.childcare.models import Filing, FilingDocument, FilingNotice
from carecircle.childcare.workdays import WorkingCalendar, filing_days, notice_days
from carecircle.core.dates import add_years
from carecircle.core.idnumbers import normalise_credit_code
from carecircle.institutions.choices import CHILDCARE_KINDS, FilingStatus
from carecircle.institutions.models import Provider

SCOPE_WORDS = {FilingKind.INSTITUTION: "托育服务", FilingKind.FAMILY_POINT: "家庭托育服务"}
# Fields copied from the filing in force into a change or closure draft.
CARRIED_FIELDS = (
    "kind",
    "registration_type",
    "registration_authority",
    "credit_code",
    "business_scope",
    "premises_address",
    "premises_tenure",
    "lease_starts_on",
    "lease_ends_on",
    "floor_area_m2",
    "places",
    "classes_planned",
    "carers",
)


def family_point_max_children() -> int:
    return int(getattr(settings, "CARECIRCLE_FAMILY_POINT_MAX_CHILDREN", 5))


def children_per_carer() -> int:
    return int(getattr(settings, "CARECIRCLE_FAMILY_POINT_CHILDREN_PER_CARER", 3))


def lease_min_years() -> int:
    return int(getattr(settings, "CARECIRCLE_FILING_LEASE_MIN_YEARS", 3))


# Checks ---------------------------------------------------------------------------------------


def fact_errors(filing: Filing, today: dt.date | None = None) -> dict[str, list[str]]:
    """What is wrong with the filing's facts, by field ("__all__" for the whole filing)."""
    errors: dict[str, list[str]] = defaultdict(list)
    provider = filing.provider
    if provider.kind not in CHILDCARE_KINDS:
        errors["provider"].append(_("只有托育机构和家庭托育点可以备案"))
    elif filing.kind != filing_kind_for(provider.kind):
        errors["kind"].append(
            _("备案类别须与机构类型一致：%(kind)s") % {"kind": provider.get_kind_display()}
        )
    if filing.purpose in (FilingPurpose.CHANGE, FilingPurpose.CLOSURE):
        if not filing.change_summary.strip():
            errors["change_summary"].append(_("请写明变更内容或注销原因"))
        if filing.purpose == FilingPurpose.CLOSURE:
            return dict(errors)  # closing: the facts on record are not re-examined
    expected = AUTHORITY_BY_TYPE.get(filing.registration_type)
    if expected and filing.registration_authority != expected:
        errors["registration_authority"].append(
            _("%(type)s应在%(authority)s登记")
            % {
                "type": filing.get_registration_type_display(),
                "authority": expected.label,
            }
        )
    if filing.credit_code:
        try:
            normalise_credit_code(filing.credit_code)
        except ValidationError as exc:
            errors["credit_code"].extend(exc.messages)
    word = SCOPE_WORDS.get(filing.kind)
    if word and word not in (filing.business_scope or ""):
        errors["business_scope"].append(_("业务范围须载明“%(w)s”") % {"w": word})
    if filing.kind == FilingKind.FAMILY_POINT and "托育" not in provider.name:
        errors["__all__"].append(_("家庭托育点名称须含“托育”字样"))
    _premises_errors(filing, errors, today)
    if filing.places < 1:
        errors["places"].append(_("托位数须大于0"))
    if filing.kind == FilingKind.FAMILY_POINT:
        _family_point_errors(filing, errors)
    elif filing.classes_planned < 1:
        errors["classes_planned"].append(_("托育机构须填写拟设班级数"))
    return dict(errors)


def _premises_errors(filing: Filing, errors, today: dt.date | None) -> None:
    if filing.premises_tenure != PremisesTenure.LEASED:
        return
    start, end = filing.lease_starts_on, filing.lease_ends_on
    if start is None:
        errors["lease_starts_on"].append(_("租赁场地须填写租赁起始日期"))
    if end is None:
        errors["lease_ends_on"].append(_("租赁场地须填写租赁截止日期"))
    if start is None or end is None:
        return
    years = lease_min_years()
    if end < add_years(start, years):
        errors["lease_ends_on"].append(_("租赁期不少于%(n)s年") % {"n": years})
    if today is not None and end <= today:
        errors["lease_ends_on"].append(_("租赁已到期"))


def _family_point_errors(filing: Filing, errors) -> None:
    limit = family_point_max_children()
    if filing.places > limit:
        errors["places"].append(
            _("家庭托育点最多收托%(n)s名婴幼儿，超过须按托育机构备案") % {"n": limit}
        )
    per_carer = children_per_carer()
    needed = max(1, math.ceil(filing.places / per_carer))
    if filing.carers < needed:
        errors["carers"].append(
            _("每名照护人员最多照护%(k)s名婴幼儿：%(p)s个托位至少需要%(n)s名照护人员")
            % {"k": per_carer, "p": filing.places, "n": needed}
        )


def missing_documents(filing: Filing) -> list[str]:
    """Labels of the documents still missing before the filing can be submitted."""
    present = set(filing.documents.values_list("kind", flat=True))
    if filing.purpose == FilingPurpose.INITIAL:
        return [DocumentKind(kind).label for kind in REQUIRED_DOCUMENTS if kind not in present]
    if filing.purpose == FilingPurpose.CHANGE and not present:
        return [_("变更事项的证明材料")]
    return []


def submission_errors(filing: Filing, today: dt.date) -> list[str]:
    """Everything that stops a submission, as sentences for the applicant."""
    problems = []
    if filing.state not in EDITABLE_STATES:
        problems.append(_("当前状态不能提交：%(s)s") % {"s": filing.get_state_display()})
    for field, messages in fact_errors(filing, today).items():
        label = "" if field == "__all__" else f"{Filing._meta.get_field(field).verbose_name}："
        problems.extend(f"{label}{message}" for message in messages)
    if not filing.commitment_signed:
        problems.append(_("请先签署备案承诺书"))
    missing = missing_documents(filing)
    if missing:
        problems.append(_("缺少材料：%(m)s") % {"m": "、".join(str(m) for m in missing)})
    return problems


# The workflow ---------------------------------------------------------------------------------


def new_filing(provider: Provider, purpose: str = FilingPurpose.INITIAL) -> Filing:
    """An unsaved draft for ``provider`` with what the registry already knows."""
    return Filing(
        provider=provider,
        kind=filing_kind_for(provider.kind),
        purpose=purpose,
        credit_code=provider.credit_code,
        premises_address=provider.address,
        state=FilingState.DRAFT,
    )


def open_filing(provider: Provider) -> Filing | None:
    return provider.filings.filter(state__in=OPEN_STATES).first()


def filing_in_force(provider: Provider) -> Filing | None:
    """The provider's latest approved first filing or change (None once closed)."""
    latest = (
        provider.filings.filter(state=FilingState.FILED)
        .order_by("-decided_on", "-created_at")
        .first()
    )
    if latest is None or latest.purpose == FilingPurpose.CLOSURE:
        return None
    return latest


def _locked(filing: Filing) -> Filing:
    """The caller's instance, refreshed under a row lock: decisions see the current state."""
    Filing.objects.select_for_update().filter(pk=filing.pk).values_list("pk").first()
    filing.refresh_from_db()
    return filing


@transaction.atomic
def submit(filing: Filing, user, today: dt.date) -> Filing:
    filing = _locked(filing)
    problems = submission_errors(filing, today)
    if problems:
        raise ValidationError(problems)
    filing.state = FilingState.SUBMITTED
    filing.submitted_on = today
    filing.first_submitted_on = filing.first_submitted_on or today
    filing.save()
    return filing


def next_filing_no(day: dt.date) -> str:
    prefix = f"TY{day.year}"
    taken = Filing.objects.filter(filing_no__startswith=prefix).values_list("filing_no", flat=True)
    numbers = [int(no[len(prefix) :]) for no in taken if no[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


@transaction.atomic
def approve(filing: Filing, user, today: dt.date) -> Filing:
    """File it: the decision, a filing number, and the provider's filing status."""
    filing = _locked(filing)
    if filing.state != FilingState.SUBMITTED:
        raise ValidationError(_("只有已提交的备案可以办结"))
    filing.state = FilingState.FILED
    filing.decided_on = today
    filing.decided_by = user
    filing.filing_no = next_filing_no(today)
    filing.save()
    provider = filing.provider
    if filing.purpose == FilingPurpose.CLOSURE:
        provider.filing_status = FilingStatus.REVOKED
    else:
        provider.filing_status = FilingStatus.FILED
        # The first filing's date stays the provider's filing date through later changes.
        if filing.purpose == FilingPurpose.INITIAL or provider.filed_on is None:
            provider.filed_on = today
    provider.save(update_fields=["filing_status", "filed_on", "updated_at"])
    return filing


@transaction.atomic
def notify_problems(
    filing: Filing, user, text: str, today: dt.date, *, published: bool = False
) -> FilingNotice:
    """Send the filing back with the problems found (需补正); the applicant corrects and
    submits again."""
    filing = _locked(filing)
    if filing.state != FilingState.SUBMITTED:
        raise ValidationError(_("只有已提交的备案可以告知问题"))
    if not text.strip():
        raise ValidationError(_("请写明存在的问题及补正要求"))
    filing.state = FilingState.NEEDS_CORRECTION
    filing.save()
    return FilingNotice.objects.create(
        filing=filing, issued_on=today, text=text.strip(), published=published, issued_by=user
    )


def can_follow(filing: Filing) -> bool:
    """A change or closure may start from this filing: it is the one in force and nothing is
    open for the provider."""
    return (
        filing.state == FilingState.FILED
        and filing_in_force(filing.provider) == filing
        and open_filing(filing.provider) is None
    )


@transaction.atomic
def start_follow_up(filing: Filing, purpose: str) -> Filing:
    """A change (变更备案) or closure (注销备案) draft carrying the facts on record."""
    if purpose not in (FilingPurpose.CHANGE, FilingPurpose.CLOSURE):
        raise ValueError(purpose)
    if not can_follow(filing):
        raise ValidationError(_("只能对现行有效的备案办理变更或注销，且不能有未办结的申请"))
    draft = new_filing(filing.provider, purpose)
    for name in CARRIED_FIELDS:
        setattr(draft, name, getattr(filing, name))
    draft.previous = filing
    draft.save()
    return draft


# Documents ------------------------------------------------------------------------------------


def add_document(filing: Filing, kind: str, upload, user) -> FilingDocument:
    if not filing.is_editable:
        raise ValidationError(_("已提交或已办结的备案不能再修改材料"))
    checked = check_upload(upload)
    document = FilingDocument(
        filing=filing,
        kind=kind,
        original_name=checked.display_name,
        content_type=checked.content_type,
        size=upload.size,
        uploaded_by=user,
    )
    document.file.save(f"upload{checked.suffix}", upload, save=False)
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    return document


def remove_document(document: FilingDocument) -> None:
    if not document.filing.is_editable:
        raise ValidationError(_("已提交或已办结的备案不能再修改材料"))
    stored = document.file.name
    document.delete()
    if stored:
        transaction.on_commit(lambda: document.file.storage.delete(stored))


# Deadlines ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    due_on: dt.date  # filed within 5 working days of the submission
    notice_due_on: dt.date  # problems notified within 15 working days
    working_days_left: int | None  # while under review; negative when overdue
    overdue: bool
    decided_late: bool

    @property
    def overdue_days(self) -> int:
        return -self.working_days_left if self.overdue and self.working_days_left else 0


def deadline(filing: Filing, today: dt.date, calendar: WorkingCalendar) -> Deadline | None:
    if filing.submitted_on is None or filing.state == FilingState.DRAFT:
        return None
    due = calendar.add(filing.submitted_on, filing_days())
    notice_due = calendar.add(filing.submitted_on, notice_days())
    pending = filing.state == FilingState.SUBMITTED
    return Deadline(
        due_on=due,
        notice_due_on=notice_due,
        working_days_left=calendar.between(today, due) if pending else None,
        overdue=pending and today > due,
        decided_late=bool(
            filing.state == FilingState.FILED and filing.decided_on and filing.decided_on > due
        ),
    )


# The public list ------------------------------------------------------------------------------


def public_filings() -> QuerySet:
    """Filings in force of providers on record as filed: what the public page may show.

    Not scoped to a user by design (the page needs no sign-in); callers take only the
    non-personal fields (name, kind, area, filing number and date, places).
    """
    latest = {}
    rows = (
        Filing.objects.filter(
            state=FilingState.FILED,
            provider__filing_status=FilingStatus.FILED,
            provider__kind__in=CHILDCARE_KINDS,
        )
        .order_by("provider_id", "decided_on", "created_at")
        .values_list("provider_id", "pk", "purpose")
    )
    for provider_id, pk, purpose in rows:
        latest[provider_id] = None if purpose == FilingPurpose.CLOSURE else pk
    return Filing.objects.filter(pk__in=[pk for pk in latest.values() if pk is not None])
