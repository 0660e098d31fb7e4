"""Workflows of home adaptation projects and family care beds.

A project moves 申请 → 已评估 → 施工中 → 已完工, and may be cancelled before it is finished. Each
step is one function here, in one transaction, checking the step is allowed from the current
status and that its dates follow the earlier ones. Items can change while the project is open;
the total cost is the sum of the items, and the subsidy never exceeds the total cost or the
per-household cap (a setting).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DateField, Q, Sum, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from carecircle.adaptations.choices import (
    EDITABLE_STATUSES,
    OPEN_STATUSES,
    ProjectStatus,
)
from carecircle.adaptations.models import (
    BED_PROVIDER_KINDS,
    ZERO,
    AdaptationItem,
    AdaptationProject,
    FamilyCareBed,
)
from carecircle.core.choices import Domain
from carecircle.core.idnumbers import mask_name
from carecircle.persons.groups import present_q, special_hardship_q
from carecircle.persons.models import Person

# The per-household subsidy cap in yuan. ⚠ Hai'an's amount was not found: 3000 is a demonstration
# default, shown as such until ``CARECIRCLE_ADAPTATION_SUBSIDY_CAP_CONFIRMED`` is set.
DEFAULT_SUBSIDY_CAP = 3000
CENT = Decimal("0.01")
# Completion days checked per query by ``mark_target_group`` (SQLite allows 500 compound terms).
DAYS_PER_QUERY = 100


def subsidy_cap() -> Decimal:
    """The most a household's project may be subsidised (``CARECIRCLE_ADAPTATION_SUBSIDY_CAP``)."""
    value = getattr(settings, "CARECIRCLE_ADAPTATION_SUBSIDY_CAP", DEFAULT_SUBSIDY_CAP)
    return Decimal(str(value)).quantize(CENT)


def subsidy_cap_is_demo() -> bool:
    """True until the cap has been confirmed against the local policy."""
    return not getattr(settings, "CARECIRCLE_ADAPTATION_SUBSIDY_CAP_CONFIRMED", False)


def _today() -> dt.date:
    return timezone.localdate()


def _not_future(day: dt.date, label: str) -> None:
    if day > _today():
        raise ValidationError(_("%(what)s不能晚于今天") % {"what": label})


def _require_status(project: AdaptationProject, *allowed: str) -> None:
    if project.status not in allowed:
        raise ValidationError(
            _("项目当前状态为“%(s)s”，不能执行此操作") % {"s": project.get_status_display()}
        )


def _not_before(day: dt.date, earlier: dt.date | None, label: str, earlier_label: str) -> None:
    if earlier is not None and day < earlier:
        raise ValidationError(
            _("%(a)s不能早于%(b)s（%(d)s）") % {"a": label, "b": earlier_label, "d": earlier}
        )


# Households ---------------------------------------------------------------------------------


def household_projects(person: Person):
    """Projects, other than cancelled ones, of the elder's household: the elder's own and those
    of elders registered at the same address in the same village."""
    same = Q(person=person)
    address = (person.address or "").strip()
    if address:
        same |= Q(person__area_id=person.area_id, person__address=address)
    return AdaptationProject.objects.filter(same).exclude(status=ProjectStatus.CANCELLED)


def check_eligible_elder(person: Person, on: dt.date) -> None:
    if person.domain != Domain.ELDERLY:
        raise ValidationError(_("只能为老年人登记"))
    if not Person.objects.filter(present_q(on), pk=person.pk).exists():
        raise ValidationError(_("该老年人在%(d)s已不在册（死亡、迁出或已合并）") % {"d": on})


def check_household_free(person: Person, exclude: AdaptationProject | None = None) -> None:
    clash = household_projects(person)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    other = clash.select_related("person").first()
    if other is not None:
        raise ValidationError(
            _(
                "该户已有居家适老化改造项目（%(name)s，%(status)s，申请日期%(d)s），一户只登记一个项目"
            )
            % {
                "name": mask_name(other.person.name),
                "status": other.get_status_display(),
                "d": other.applied_on,
            }
        )


# Project workflow ----------------------------------------------------------------------------


@transaction.atomic
def apply(project: AdaptationProject) -> AdaptationProject:
    """Register an application (status 申请) for ``project.person``'s household."""
    _not_future(project.applied_on, _("申请日期"))
    check_eligible_elder(project.person, project.applied_on)
    check_household_free(project.person)
    project.status = ProjectStatus.APPLIED
    check_contractor(project)
    project.full_clean()
    project.save()
    return project


def check_contractor(project: AdaptationProject) -> None:
    if project.contractor_id and project.contractor_name:
        project.contractor_name = ""


@transaction.atomic
def assess(project: AdaptationProject, on: dt.date, note: str) -> AdaptationProject:
    """Record the home-risk assessment (申请 → 已评估; an assessment may be corrected later)."""
    _require_status(project, ProjectStatus.APPLIED, ProjectStatus.ASSESSED)
    _not_future(on, _("评估日期"))
    _not_before(on, project.applied_on, _("评估日期"), _("申请日期"))
    if not note.strip():
        raise ValidationError(_("请填写居家环境评估结果"))
    project.assessed_on = on
    project.assessment_note = note.strip()
    project.status = ProjectStatus.ASSESSED
    project.save(update_fields=["assessed_on", "assessment_note", "status", "updated_at"])
    return project


@transaction.atomic
def start(project: AdaptationProject, on: dt.date) -> AdaptationProject:
    """Work begins (已评估 → 施工中): the items and the builder must be known."""
    _require_status(project, ProjectStatus.ASSESSED)
    _not_future(on, _("开工日期"))
    _not_before(on, project.assessed_on, _("开工日期"), _("评估日期"))
    if not project.items.exists():
        raise ValidationError(_("开工前请先登记改造明细"))
    if not project.contractor_id and not project.contractor_name.strip():
        raise ValidationError(_("开工前请填写施工机构或施工单位名称"))
    project.started_on = on
    project.status = ProjectStatus.IN_PROGRESS
    project.save(update_fields=["started_on", "status", "updated_at"])
    return project


@transaction.atomic
def complete(project: AdaptationProject, on: dt.date, subsidy: Decimal) -> AdaptationProject:
    """Work accepted (施工中 → 已完工) with the subsidy granted; the elder's membership of the
    special-hardship group on that day is recorded with the project (it is what E11 counts)."""
    _require_status(project, ProjectStatus.IN_PROGRESS)
    _not_future(on, _("完工日期"))
    _not_before(on, project.started_on, _("完工日期"), _("开工日期"))
    recompute_total(project)
    check_subsidy(project, subsidy)
    project.completed_on = on
    project.subsidy = subsidy
    project.status = ProjectStatus.COMPLETED
    project.target_group = in_target_group(project.person_id, on)
    project.save(
        update_fields=[
            "completed_on",
            "subsidy",
            "status",
            "target_group",
            "total_cost",
            "updated_at",
        ]
    )
    return project


@transaction.atomic
def cancel(project: AdaptationProject, on: dt.date, reason: str) -> AdaptationProject:
    """Drop a project that has not been completed (the elder withdrew, died, moved …)."""
    _require_status(project, *OPEN_STATUSES)
    _not_future(on, _("取消日期"))
    _not_before(on, project.applied_on, _("取消日期"), _("申请日期"))
    if not reason.strip():
        raise ValidationError(_("请填写取消原因"))
    project.cancelled_on = on
    project.cancel_reason = reason.strip()
    project.status = ProjectStatus.CANCELLED
    project.save(update_fields=["cancelled_on", "cancel_reason", "status", "updated_at"])
    return project


def check_subsidy(project: AdaptationProject, subsidy: Decimal) -> None:
    if subsidy < ZERO:
        raise ValidationError({"subsidy": _("政府补贴不能为负")})
    if subsidy > project.total_cost:
        raise ValidationError(
            {
                "subsidy": _("政府补贴（%(s)s元）不能超过改造总费用（%(t)s元）")
                % {"s": subsidy, "t": project.total_cost}
            }
        )
    cap = subsidy_cap()
    if subsidy > cap:
        raise ValidationError(
            {
                "subsidy": _("政府补贴（%(s)s元）超过每户补贴上限（%(c)s元）")
                % {"s": subsidy, "c": cap}
            }
        )


@transaction.atomic
def update_details(project: AdaptationProject) -> AdaptationProject:
    """Save edits of an open project (dates of later steps change only through the steps)."""
    _require_status(project, *EDITABLE_STATUSES)
    _not_future(project.applied_on, _("申请日期"))
    if project.assessed_on is not None:
        _not_before(project.assessed_on, project.applied_on, _("评估日期"), _("申请日期"))
    check_contractor(project)
    project.save()
    return project


# Items ---------------------------------------------------------------------------------------


def recompute_total(project: AdaptationProject) -> Decimal:
    total = (project.items.aggregate(total=Sum("cost"))["total"] or ZERO).quantize(CENT)
    project.total_cost = total
    return total


@transaction.atomic
def add_item(item: AdaptationItem) -> AdaptationItem:
    project = AdaptationProject.objects.select_for_update().get(pk=item.project_id)
    _require_status(project, *EDITABLE_STATUSES)
    item.cost = (Decimal(item.quantity) * item.unit_cost).quantize(CENT)
    item.full_clean()
    item.save()
    recompute_total(project)
    project.save(update_fields=["total_cost", "updated_at"])
    return item


@transaction.atomic
def remove_item(item: AdaptationItem) -> None:
    project = AdaptationProject.objects.select_for_update().get(pk=item.project_id)
    _require_status(project, *EDITABLE_STATUSES)
    item.delete()
    recompute_total(project)
    if project.subsidy > project.total_cost:
        raise ValidationError(_("删除后改造总费用将低于已填写的政府补贴，请先调整补贴"))
    project.save(update_fields=["total_cost", "updated_at"])


# The target group on the completion day --------------------------------------------------------


def in_target_group(person_id: int, on: dt.date) -> bool:
    return Person.objects.filter(special_hardship_q(on), pk=person_id).exists()


def mark_target_group(project_ids: Iterable[int]) -> int:
    """Record, for completed projects, whether the elder was in the special-hardship group on
    the completion day (bulk writers call it; the days are asked about in batches of one
    ``UNION ALL`` query). Returns how many are in the group."""
    by_day: dict[dt.date, list[tuple[int, int]]] = defaultdict(list)
    rows = AdaptationProject.objects.filter(
        pk__in=list(project_ids), completed_on__isnull=False
    ).values_list("pk", "person_id", "completed_on")
    for pk, person_id, day in rows:
        by_day[day].append((pk, person_id))
    days = sorted(by_day)
    inside: set[tuple[int, dt.date]] = set()
    for start in range(0, len(days), DAYS_PER_QUERY):
        parts = [
            Person.objects.filter(special_hardship_q(day), pk__in={p for _pk, p in by_day[day]})
            .order_by()
            .annotate(day=Value(day, output_field=DateField()))
            .values_list("pk", "day")
            for day in days[start : start + DAYS_PER_QUERY]
        ]
        query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        inside.update(query)
    members = [pk for day in days for pk, person in by_day[day] if (person, day) in inside]
    others = [pk for day in days for pk, person in by_day[day] if (person, day) not in inside]
    # Set-based writes of a derived flag (no history); callers recompute the indicators.
    AdaptationProject.objects.filter(pk__in=members).update(target_group=True)
    AdaptationProject.objects.filter(pk__in=others).update(target_group=False)
    return len(members)


# Family care beds ----------------------------------------------------------------------------


def check_bed_provider(bed: FamilyCareBed) -> None:
    provider = bed.provider
    if provider.kind not in BED_PROVIDER_KINDS:
        raise ValidationError({"provider": _("家庭照护床位须由养老机构或社区养老服务中心提供服务")})
    if provider.opened_on > bed.started_on or (
        provider.closed_on is not None and provider.closed_on <= bed.started_on
    ):
        raise ValidationError({"provider": _("该机构在建床日期未在运营")})


@transaction.atomic
def open_bed(bed: FamilyCareBed) -> FamilyCareBed:
    """Set up a family care bed; the elder's completed adaptation is linked when not given."""
    _not_future(bed.started_on, _("建床日期"))
    check_eligible_elder(bed.person, bed.started_on)
    check_bed_provider(bed)
    if FamilyCareBed.objects.filter(person=bed.person, ended_on__isnull=True).exists():
        raise ValidationError(_("该老年人已有在床的家庭照护床位，请先撤床"))
    if bed.adaptation_id is None:
        bed.adaptation = (
            AdaptationProject.objects.filter(person=bed.person, status=ProjectStatus.COMPLETED)
            .order_by("-completed_on")
            .first()
        )
    elif bed.adaptation.person_id != bed.person_id:
        raise ValidationError({"adaptation": _("该改造项目不属于此老年人")})
    bed.full_clean()
    bed.save()
    return bed


@transaction.atomic
def end_bed(bed: FamilyCareBed, on: dt.date, reason: str) -> FamilyCareBed:
    if bed.ended_on is not None:
        raise ValidationError(_("该床位已撤床"))
    _not_future(on, _("撤床日期"))
    _not_before(on, bed.started_on, _("撤床日期"), _("建床日期"))
    if not reason:
        raise ValidationError(_("请选择撤床原因"))
    bed.ended_on = on
    bed.end_reason = reason
    bed.save(update_fields=["ended_on", "end_reason", "updated_at"])
    return bed
