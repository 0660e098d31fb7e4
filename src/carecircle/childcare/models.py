"""Childcare filing (备案) with its documents and notices, 1+N networks, brand chains, and the
working-day calendar the filing deadlines are counted in."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from carecircle.childcare.choices import (
    EDITABLE_STATES,
    OPEN_STATES,
    CalendarDayKind,
    DocumentKind,
    FilingKind,
    FilingPurpose,
    FilingState,
    PremisesTenure,
    RegistrationAuthority,
    RegistrationType,
)
from carecircle.core.models import BaseModel, area_scope_q
from carecircle.institutions.models import Provider
from carecircle.institutions.models.providers import ProviderChild


class WorkingCalendarDay(models.Model):
    """A day that departs from the Monday–Friday week: a public holiday falling on a weekday, or
    a weekend day worked instead (调休上班). Published each year by the State Council."""

    day = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=CalendarDayKind.choices)
    name = models.CharField(_("节日"), max_length=30)
    source = models.CharField(_("依据"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.name} {self.get_kind_display()}"


# Filings --------------------------------------------------------------------------------------


class Filing(ProviderChild):
    """One filing with the county health commission: first filing, change or closure.

    Holds the facts of the 备案书 and the 承诺书. Its state moves only through
    ``childcare.services`` (submit, approve, notify problems).
    """

    provider = models.ForeignKey(
        Provider, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="filings"
    )
    kind = models.CharField(_("备案类别"), max_length=15, choices=FilingKind.choices)
    purpose = models.CharField(
        _("备案事项"), max_length=10, choices=FilingPurpose.choices, default=FilingPurpose.INITIAL
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("原备案"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followed_by",
        help_text=_("变更或注销所针对的已备案记录"),
    )
    state = models.CharField(
        _("状态"), max_length=20, choices=FilingState.choices, default=FilingState.DRAFT
    )
    # 备案书: registration.
    registration_type = models.CharField(
        _("登记类型"), max_length=20, choices=RegistrationType.choices
    )
    registration_authority = models.CharField(
        _("登记机关"), max_length=20, choices=RegistrationAuthority.choices
    )
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, help_text=_("18位，按GB 32100-2015校验")
    )
    business_scope = models.TextField(
        _("业务范围（经营范围）"), help_text=_("须载明“托育服务”，家庭托育点须载明“家庭托育服务”")
    )
    # 备案书: premises and scale.
    premises_address = models.CharField(_("场地地址"), max_length=200)
    premises_tenure = models.CharField(_("场地性质"), max_length=10, choices=PremisesTenure.choices)
    lease_starts_on = models.DateField(_("租赁起始日期"), null=True, blank=True)
    lease_ends_on = models.DateField(
        _("租赁截止日期"), null=True, blank=True, help_text=_("租赁期不少于3年")
    )
    floor_area_m2 = models.DecimalField(
        _("建筑面积（㎡）"), max_digits=9, decimal_places=1, null=True, blank=True
    )
    places = models.PositiveIntegerField(_("托位数"))
    classes_planned = models.PositiveSmallIntegerField(_("拟设班级数"), default=0)
    carers = models.PositiveSmallIntegerField(
        _("保育（照护）人员数"), default=0, help_text=_("家庭托育点每名照护人员最多照护3名婴幼儿")
    )
    change_summary = models.TextField(
        _("变更或注销事项"), blank=True, help_text=_("变更备案写明变更内容，注销备案写明原因")
    )
    # 承诺书.
    commitment_signed = models.BooleanField(
        _("已签署备案承诺书"),
        default=False,
        help_text=_("承诺所填信息真实，符合托育机构设置标准和管理规范"),
    )
    # Decisions.
    submitted_on = models.DateField(
        _("提交日期"), null=True, blank=True, help_text=_("最近一次提交（补正后重新提交）的日期")
    )
    first_submitted_on = models.DateField(_("首次提交日期"), null=True, blank=True)
    decided_on = models.DateField(_("办结日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    filing_no = models.CharField(_("备案编号"), max_length=30, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("托育机构备案")
        verbose_name_plural = _("托育机构备案")
        ordering = ["-submitted_on", "-created_at"]
        permissions = [
            ("review_filing", _("审核托育机构备案")),
            ("view_supply_demand", _("查看托育供需分析")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["provider"],
                condition=Q(state__in=OPEN_STATES),
                name="childcare_filing_one_open",
                violation_error_message=_("该机构已有未办结的备案申请"),
            ),
            models.UniqueConstraint(
                fields=["filing_no"],
                condition=~Q(filing_no=""),
                name="childcare_filing_unique_no",
                violation_error_message=_("备案编号重复"),
            ),
            models.CheckConstraint(
                condition=Q(lease_ends_on__isnull=True)
                | Q(lease_starts_on__isnull=True)
                | Q(lease_ends_on__gt=F("lease_starts_on")),
                name="childcare_filing_lease_dates",
                violation_error_message=_("租赁截止日期须晚于起始日期"),
            ),
            models.CheckConstraint(
                condition=Q(state=FilingState.DRAFT) | Q(submitted_on__isnull=False),
                name="childcare_filing_submitted_date",
                violation_error_message=_("已提交的备案须有提交日期"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.get_purpose_display()}"

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES


class FilingChild(BaseModel):
    """Rows of a filing, in its provider's scope."""

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, user) -> Q | None:
        if user.institution_id:
            return Q(filing__provider_id=user.institution_id)
        return area_scope_q(user, "filing__provider__area", "filing__provider__domain")


class PrivateFileStorage(FileSystemStorage):
    """Uploaded documents under ``MEDIA_ROOT`` (``DATA_DIR/media`` when unset), never given a
    URL: they are read only through the scoped download view."""

    @cached_property
    def base_location(self):
        default = settings.MEDIA_ROOT or str(Path(settings.DATA_DIR) / "media")
        return self._value_or_setting(self._location, default)

    def url(self, name):
        raise ValueError("filing documents are served by the scoped download view only")


FILING_STORAGE = PrivateFileStorage()


def filing_storage() -> PrivateFileStorage:
    return FILING_STORAGE


def document_path(instance: FilingDocument, filename: str) -> str:
    """A random name under the year; the uploaded name is kept apart, for display only."""
    suffix = Path(filename).suffix.lower()
    return f"childcare/filings/{timezone.now():%Y}/{uuid.uuid4().hex}{suffix}"


class FilingDocument(FilingChild):
    """A scan uploaded with a filing (PDF, JPEG or PNG)."""

    filing = models.ForeignKey(
        Filing, verbose_name=_("备案"), on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("材料类型"), max_length=20, choices=DocumentKind.choices)
    file = models.FileField(
        _("文件"), storage=filing_storage, upload_to=document_path, max_length=200, blank=True
    )
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("备案材料")
        verbose_name_plural = _("备案材料")
        ordering = ["kind", "uploaded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"

    @property
    def has_content(self) -> bool:
        return bool(self.file)


class FilingNotice(FilingChild):
    """The commission's notice of problems (需补正), published to the applicant and, when chosen,
    on the public filing page."""

    filing = models.ForeignKey(
        Filing, verbose_name=_("备案"), on_delete=models.CASCADE, related_name="notices"
    )
    issued_on = models.DateField(_("告知日期"))
    text = models.TextField(_("问题及补正要求"))
    published = models.BooleanField(
        _("向社会公布"), default=False, help_text=_("在公开的备案信息页公布（请勿写入个人信息）")
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("备案问题告知")
        verbose_name_plural = _("备案问题告知")
        ordering = ["-issued_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.filing} {self.issued_on}"


# 1+N networks and brand chains ----------------------------------------------------------------


def _linked_in_scope(user, field) -> Q | None:
    """Rows with a provider linked through the many-to-many ``field`` that the user may see."""
    visible = Provider.scope_q(user)
    if visible is None:
        return None
    linked = field.remote_field.through.objects.filter(
        **{
            field.m2m_field_name(): OuterRef("pk"),
            f"{field.m2m_reverse_field_name()}__in": Provider.objects.filter(visible).values("pk"),
        }
    )
    return Q(Exists(linked))


class CareNetwork(BaseModel):
    """A “1+N” network: a model institution (the hub) guiding community childcare points."""

    name = models.CharField(_("网络名称"), max_length=100)
    hub = models.ForeignKey(
        Provider,
        verbose_name=_("枢纽机构（示范性托育机构）"),
        on_delete=models.PROTECT,
        related_name="hub_networks",
    )
    satellites = models.ManyToManyField(
        Provider,
        verbose_name=_("社区托育点"),
        related_name="satellite_networks",
        blank=True,
    )
    established_on = models.DateField(_("建立日期"))

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("“1+N”托育服务网络")
        verbose_name_plural = _("“1+N”托育服务网络")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                name="childcare_carenetwork_unique_name",
                violation_error_message=_("已有同名网络"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, user) -> Q | None:
        """The hub or any satellite is in the user's scope."""
        visible = Provider.scope_q(user)
        if visible is None:
            return None
        hub = Q(hub__in=Provider.objects.filter(visible).values("pk"))
        return hub | _linked_in_scope(user, cls._meta.get_field("satellites"))


class BrandChain(BaseModel):
    """A childcare brand operating several providers (品牌连锁)."""

    name = models.CharField(_("品牌名称"), max_length=100)
    operator_name = models.CharField(_("运营主体"), max_length=150)
    operator_credit_code = models.CharField(
        _("运营主体统一社会信用代码"), max_length=18, help_text=_("18位，按GB 32100-2015校验")
    )
    members = models.ManyToManyField(
        Provider,
        verbose_name=_("连锁机构"),
        related_name="brand_chains",
        blank=True,
    )
    established_on = models.DateField(_("认定日期"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("托育品牌连锁")
        verbose_name_plural = _("托育品牌连锁")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                name="childcare_brandchain_unique_name",
                violation_error_message=_("已有同名品牌"),
            ),
            models.UniqueConstraint(
                fields=["operator_credit_code"],
                name="childcare_brandchain_unique_operator",
                violation_error_message=_("该运营主体已登记品牌"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, user) -> Q | None:
        """A member is in the user's scope (chains span the city: each user sees the chains
        present in their area, and only their area's members)."""
        return _linked_in_scope(user, cls._meta.get_field("members"))
