"""Red and black lists and lifetime bans (红黑名单, 终身禁入) that block registration."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from carecircle.core.models import BaseModel, ScopedQuerySet
from carecircle.institutions.choices import ListKind, SubjectKind

BLOCKING_KINDS = (ListKind.BLACK, ListKind.LIFETIME_BAN)


class CreditListingQuerySet(ScopedQuerySet):
    def in_force(self, on: dt.date | None = None) -> CreditListingQuerySet:
        on = on or timezone.localdate()
        return self.filter(listed_on__lte=on).filter(
            Q(removed_on__isnull=True) | Q(removed_on__gt=on)
        )

    def blocking(self) -> CreditListingQuerySet:
        return self.in_force().filter(list_kind__in=BLOCKING_KINDS)


class CreditListing(BaseModel):
    """A listing of a person (by ID blind index) or an organisation (by credit code)."""

    subject_kind = models.CharField(_("对象类型"), max_length=15, choices=SubjectKind.choices)
    subject_name = models.CharField(_("名称或姓名"), max_length=150)
    id_number_index = models.CharField(
        _("身份证号索引"), max_length=64, blank=True, db_index=True, editable=False
    )
    id_number_masked = models.CharField(_("身份证号"), max_length=18, blank=True, editable=False)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True)
    list_kind = models.CharField(_("名单类型"), max_length=15, choices=ListKind.choices)
    listed_on = models.DateField(_("列入日期"))
    removed_on = models.DateField(_("移出日期"), null=True, blank=True)
    authority = models.CharField(_("认定机关"), max_length=100)
    document_no = models.CharField(_("文号"), max_length=100, blank=True)
    reason = models.TextField(_("事由"), blank=True)

    objects = CreditListingQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("信用名单")
        verbose_name_plural = _("信用名单")
        ordering = ["-listed_on"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(subject_kind=SubjectKind.PERSON) & ~Q(id_number_index=""))
                | (Q(subject_kind=SubjectKind.ORGANISATION) & ~Q(credit_code="")),
                name="institutions_creditlisting_subject_key",
                violation_error_message=_("个人须填写身份证号，机构须填写统一社会信用代码"),
            ),
            models.CheckConstraint(
                condition=Q(removed_on__isnull=True) | Q(removed_on__gte=F("listed_on")),
                name="institutions_creditlisting_dates",
                violation_error_message=_("移出日期不能早于列入日期"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_name}（{self.get_list_kind_display()}）"

    @classmethod
    def scope_q(cls, user) -> Q | None:
        # Lists are published city-wide; any scoped user may read them.
        if user.scope_area_id or user.institution_id:
            return Q()
        return None

    def describe(self) -> str:
        doc = f"，{self.document_no}" if self.document_no else ""
        return (
            f"{self.get_list_kind_display()}：{self.authority} {self.listed_on:%Y-%m-%d}列入{doc}"
        )
