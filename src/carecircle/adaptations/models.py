"""Home adaptation projects (居家适老化改造) and family care beds (家庭照护床位).

A household is identified by its elder: a project belongs to the elder who applied, and the
household is that elder's address (``services.apply`` refuses a second open or completed
project for the same address, so a couple living together counts once).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from carecircle.adaptations.choices import BedEndReason, ItemKind, ProjectStatus
from carecircle.core.idnumbers import mask_name
from carecircle.core.models import BaseModel, area_scope_q
from carecircle.institutions.choices import COMMUNITY_FACILITY_KINDS, ELDERLY_INSTITUTION_KINDS
from carecircle.institutions.choices import ProviderKind as K

ZERO = Decimal("0")
MONEY = {"max_digits": 10, "decimal_places": 2}
# Institutions and community centres may serve family care beds; a university for the elderly
# does not provide care.
BED_PROVIDER_KINDS = tuple(
    kind
    for kind in (*ELDERLY_INSTITUTION_KINDS, *COMMUNITY_FACILITY_KINDS)
    if kind != K.ELDERLY_UNIVERSITY
)


def elder_area_q(user, prefix: str = "person") -> Q | None:
    """Rows about an elder living in the user's area subtree (and domain)."""
    return area_scope_q(user, f"{prefix}__area", f"{prefix}__domain")


class AdaptationProject(BaseModel):
    person = models.ForeignKey(
        "persons.Person",
        verbose_name=_("老年人"),
        on_delete=models.PROTECT,
        related_name="adaptation_projects",
        help_text=_("申请改造的老年人；其住址即改造的家庭（一户一项）"),
    )
    status = models.CharField(
        _("状态"),
        max_length=15,
        choices=ProjectStatus.choices,
        default=ProjectStatus.APPLIED,
        editable=False,
    )
    applied_on = models.DateField(_("申请日期"))
    assessed_on = models.DateField(_("评估日期"), null=True, blank=True, editable=False)
    assessment_note = models.TextField(
        _("居家环境评估"),
        blank=True,
        help_text=_("入户评估发现的风险，如卫生间无扶手、地面湿滑、门槛高差、夜间照明不足"),
    )
    contractor = models.ForeignKey(
        "institutions.Provider",
        verbose_name=_("施工机构"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adaptation_projects",
        help_text=_("已登记的服务机构；未登记的施工单位请填写名称"),
    )
    contractor_name = models.CharField(
        _("施工单位名称"), max_length=150, blank=True, help_text=_("施工单位不是已登记机构时填写")
    )
    started_on = models.DateField(_("开工日期"), null=True, blank=True, editable=False)
    completed_on = models.DateField(_("完工日期"), null=True, blank=True, editable=False)
    cancelled_on = models.DateField(_("取消日期"), null=True, blank=True, editable=False)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True, editable=False)
    total_cost = models.DecimalField(
        _("改造总费用（元）"),
        **MONEY,
        default=ZERO,
        editable=False,
        help_text=_("各改造项目费用之和"),
    )
    subsidy = models.DecimalField(
        _("政府补贴（元）"),
        **MONEY,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
        help_text=_("不超过改造总费用，也不超过每户补贴上限"),
    )
    target_group = models.BooleanField(
        _("完工时属特殊困难老年人"),
        default=False,
        editable=False,
        help_text=_("完工之日老年人是否属于特殊困难老年人（完工时按登记信息核定，计入E11）"),
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("居家适老化改造项目")
        verbose_name_plural = _("居家适老化改造项目")
        ordering = ["-applied_on", "-pk"]
        indexes = [models.Index(fields=["status", "completed_on"], name="adapt_project_status_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=~Q(status=ProjectStatus.CANCELLED),
                name="adaptations_adaptationproject_one_per_elder",
                violation_error_message=_("该老年人已有居家适老化改造项目（已取消的除外）"),
            ),
            models.CheckConstraint(
                condition=Q(subsidy__gte=0) & Q(subsidy__lte=F("total_cost")),
                name="adaptations_adaptationproject_subsidy",
                violation_error_message=_("政府补贴不能为负，也不能超过改造总费用"),
            ),
            models.CheckConstraint(
                condition=Q(assessed_on__isnull=True) | Q(assessed_on__gte=F("applied_on")),
                name="adaptations_adaptationproject_assessed_after_applied",
                violation_error_message=_("评估日期不能早于申请日期"),
            ),
            models.CheckConstraint(
                condition=Q(started_on__isnull=True)
                | (Q(assessed_on__isnull=False) & Q(started_on__gte=F("assessed_on"))),
                name="adaptations_adaptationproject_started_after_assessed",
                violation_error_message=_("开工日期不能早于评估日期"),
            ),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True)
                | (Q(started_on__isnull=False) & Q(completed_on__gte=F("started_on"))),
                name="adaptations_adaptationproject_completed_after_started",
                violation_error_message=_("完工日期不能早于开工日期"),
            ),
            models.CheckConstraint(
                condition=~Q(status=ProjectStatus.COMPLETED) | Q(completed_on__isnull=False),
                name="adaptations_adaptationproject_completed_dated",
                violation_error_message=_("已完工的项目须有完工日期"),
            ),
            models.CheckConstraint(
                condition=~Q(status=ProjectStatus.CANCELLED) | Q(cancelled_on__isnull=False),
                name="adaptations_adaptationproject_cancelled_dated",
                violation_error_message=_("已取消的项目须有取消日期"),
            ),
        ]

    def __str__(self) -> str:
        return f"{mask_name(self.person.name)} · {self.get_status_display()} · {self.applied_on}"

    @classmethod
    def scope_q(cls, user) -> Q | None:
        # A contracted institution sees the projects it builds (its role grants no access to
        # them today; the scope still never reaches beyond them).
        if user.institution_id:
            return Q(contractor_id=user.institution_id)
        return elder_area_q(user)

    @property
    def self_paid(self) -> Decimal:
        """What the household pays: the total cost less the subsidy."""
        return self.total_cost - self.subsidy

    @property
    def contractor_label(self) -> str:
        return self.contractor.name if self.contractor_id else self.contractor_name

    @property
    def is_open(self) -> bool:
        return self.status in (
            ProjectStatus.APPLIED,
            ProjectStatus.ASSESSED,
            ProjectStatus.IN_PROGRESS,
        )


class AdaptationItem(BaseModel):
    """One adaptation work of a project; its permissions are the project's."""

    project = models.ForeignKey(
        AdaptationProject,
        verbose_name=_("改造项目"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    kind = models.CharField(_("改造内容"), max_length=20, choices=ItemKind.choices)
    description = models.CharField(
        _("说明"), max_length=200, blank=True, help_text=_("规格、安装位置等")
    )
    quantity = models.PositiveIntegerField(
        _("数量"), default=1, validators=[MinValueValidator(1), MaxValueValidator(999)]
    )
    unit_cost = models.DecimalField(_("单价（元）"), **MONEY, validators=[MinValueValidator(ZERO)])
    cost = models.DecimalField(_("金额（元）"), **MONEY, editable=False, help_text=_("数量×单价"))

    class Meta:
        verbose_name = _("改造明细")
        verbose_name_plural = _("改造明细")
        ordering = ["project", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(unit_cost__gte=0) & Q(cost__gte=0),
                name="adaptations_adaptationitem_amounts",
                violation_error_message=_("数量须至少为1，单价和金额不能为负"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} × {self.quantity}"

    @classmethod
    def scope_q(cls, user) -> Q | None:
        inner = AdaptationProject.scope_q(user)
        if inner is None:
            return None
        return Q(project__in=AdaptationProject.objects.filter(inner).values("pk"))


class FamilyCareBed(BaseModel):
    """Professional care brought to an elder's home by an institution (家庭照护床位)."""

    person = models.ForeignKey(
        "persons.Person",
        verbose_name=_("老年人"),
        on_delete=models.PROTECT,
        related_name="family_care_beds",
    )
    provider = models.ForeignKey(
        "institutions.Provider",
        verbose_name=_("服务机构"),
        on_delete=models.PROTECT,
        related_name="family_care_beds",
        help_text=_("提供上门照护的养老机构或社区养老服务中心"),
    )
    adaptation = models.ForeignKey(
        AdaptationProject,
        verbose_name=_("适老化改造"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="care_beds",
        help_text=_("建床时的居家适老化改造项目"),
    )
    started_on = models.DateField(_("建床日期"))
    ended_on = models.DateField(_("撤床日期"), null=True, blank=True, editable=False)
    end_reason = models.CharField(
        _("撤床原因"), max_length=20, choices=BedEndReason.choices, blank=True, editable=False
    )
    care_plan = models.TextField(
        _("照护计划"), blank=True, help_text=_("服务等级、服务内容与频次、家属配合事项")
    )
    visits_per_month = models.PositiveSmallIntegerField(
        _("每月上门次数"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("照护计划约定的每月上门服务次数"),
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("家庭照护床位")
        verbose_name_plural = _("家庭照护床位")
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(ended_on__isnull=True),
                name="adaptations_familycarebed_one_open",
                violation_error_message=_("该老年人已有在床的家庭照护床位"),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="adaptations_familycarebed_dates",
                violation_error_message=_("撤床日期不能早于建床日期"),
            ),
            models.CheckConstraint(
                condition=(Q(ended_on__isnull=True) & Q(end_reason=""))
                | (Q(ended_on__isnull=False) & ~Q(end_reason="")),
                name="adaptations_familycarebed_end_reason",
                violation_error_message=_("撤床须填写撤床原因"),
            ),
            models.CheckConstraint(
                condition=Q(visits_per_month__gte=1) & Q(visits_per_month__lte=31),
                name="adaptations_familycarebed_visits",
                violation_error_message=_("每月上门次数须在1至31之间"),
            ),
        ]

    def __str__(self) -> str:
        return f"{mask_name(self.person.name)} · {self.provider.name}"

    @classmethod
    def scope_q(cls, user) -> Q | None:
        if user.institution_id:
            return Q(provider_id=user.institution_id)
        return elder_area_q(user)

    @property
    def is_open(self) -> bool:
        return self.ended_on is None
