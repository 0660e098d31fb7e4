"""Elderly ability assessments under GB/T 42195-2022.

Other apps read assessments through exactly these names: ``person``, ``assessed_on``,
``valid_until`` (the last valid day, inclusive), ``invalidated_on`` (the day a later immediate
assessment or review replaced it) and ``final_level`` (0 能力完好 … 4 完全失能), and through the
queryset methods ``valid_on(on)`` and ``latest_valid(person_ids, on)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from carecircle.assessments.choices import Validity, level_choices, reason_choices
from carecircle.assessments.standard import standard
from carecircle.core.idnumbers import mask_name
from carecircle.core.models import BaseModel, ScopedQuerySet, area_scope_q


def valid_q(on: dt.date, prefix: str = "") -> Q:
    """An assessment (at ``prefix``) valid on ``on``: assessed by then, unexpired, not replaced."""
    p = f"{prefix}__" if prefix else ""
    return Q(**{f"{p}assessed_on__lte": on, f"{p}valid_until__gte": on}) & (
        Q(**{f"{p}invalidated_on__isnull": True}) | Q(**{f"{p}invalidated_on__gt": on})
    )


def has_valid_assessment(on: dt.date, person_ref: str = "pk") -> Exists:
    """For querysets of persons (or rows pointing at one): the person holds a valid assessment."""
    return Exists(Assessment.objects.filter(valid_q(on), person=OuterRef(person_ref)))


class AssessmentQuerySet(ScopedQuerySet):
    def valid_on(self, on: dt.date) -> AssessmentQuerySet:
        return self.filter(valid_q(on))

    def latest_valid(
        self, person_ids: Iterable[int] | None = None, on: dt.date | None = None
    ) -> AssessmentQuerySet:
        """Per person, the most recent assessment valid on ``on`` (today by default)."""
        on = on or timezone.localdate()
        newest = (
            Assessment.objects.filter(valid_q(on), person=OuterRef("person"))
            .order_by("-assessed_on", "-created_at", "-pk")
            .values("pk")[:1]
        )
        qs = self.valid_on(on).filter(pk=Subquery(newest))
        if person_ids is not None:
            qs = qs.filter(person_id__in=list(person_ids))
        return qs


class Assessment(BaseModel):
    person = models.ForeignKey(
        "persons.Person",
        verbose_name=_("老年人"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    assessed_on = models.DateField(_("评估日期"), db_index=True)
    reason = models.CharField(_("评估原因"), max_length=20, choices=reason_choices)
    agency = models.ForeignKey(
        "institutions.Provider",
        verbose_name=_("评估机构"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments_made",
        help_text=_("受委托开展评估的机构；无则留空"),
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    assessor_name = models.CharField(_("评估员"), max_length=50)
    assessor_medical = models.BooleanField(_("评估员具有医学背景"), default=False)
    second_assessor_name = models.CharField(_("第二评估员"), max_length=50)
    second_assessor_medical = models.BooleanField(_("第二评估员具有医学背景"), default=False)
    item_scores = models.JSONField(
        _("各项得分"), default=dict, help_text=_('{项目编号: 得分}，如 {"B.1.1": 4}')
    )
    diseases = models.JSONField(_("疾病诊断"), default=list, blank=True)
    risk_events = models.JSONField(
        _("近30天照护风险事件"), default=list, blank=True, help_text=_("[{kind, date}]")
    )
    coma = models.BooleanField(_("昏迷"), default=False)
    initial_score = models.PositiveSmallIntegerField(_("总分"), editable=False)
    initial_level = models.PositiveSmallIntegerField(
        _("初步等级"), choices=level_choices, editable=False
    )
    final_level = models.PositiveSmallIntegerField(
        _("能力等级"), choices=level_choices, editable=False, db_index=True
    )
    adjustments = models.JSONField(_("等级变更依据"), default=list, blank=True, editable=False)
    valid_until = models.DateField(_("有效期至"), editable=False, db_index=True)
    invalidated_on = models.DateField(_("作废日期"), null=True, blank=True, editable=False)
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("被以下评估取代"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="superseded",
        editable=False,
    )
    note = models.CharField(_("备注"), max_length=500, blank=True)

    objects = AssessmentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("能力评估")
        verbose_name_plural = _("能力评估")
        ordering = ["-assessed_on", "-created_at"]
        permissions = [("import_assessment", _("导入能力评估"))]
        indexes = [
            models.Index(fields=["person", "assessed_on"], name="assessments_person_date_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "assessed_on", "reason"],
                name="assessments_assessment_unique_visit",
                violation_error_message=_("该老年人同一日期已有同一原因的评估"),
            ),
            models.CheckConstraint(
                condition=Q(initial_score__gte=0) & Q(initial_score__lte=standard().max_score),
                name="assessments_assessment_score_range",
                violation_error_message=_("总分超出范围"),
            ),
            models.CheckConstraint(
                condition=Q(initial_level__lte=standard().top_level)
                & Q(final_level__lte=standard().top_level)
                & Q(final_level__gte=F("initial_level")),
                name="assessments_assessment_levels",
                violation_error_message=_("能力等级只能在初步等级上提高，且不超过最高级别"),
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("assessed_on")),
                name="assessments_assessment_validity",
                violation_error_message=_("有效期不能早于评估日期"),
            ),
            models.CheckConstraint(
                condition=Q(invalidated_on__isnull=True) | Q(invalidated_on__gte=F("assessed_on")),
                name="assessments_assessment_invalidated_after",
                violation_error_message=_("作废日期不能早于评估日期"),
            ),
        ]

    def __str__(self) -> str:
        person = mask_name(self.person.name) if self.person_id else ""
        return f"{person} {self.assessed_on}"

    @classmethod
    def scope_q(cls, user) -> Q | None:
        """Through the person: an institution's current residents, else the user's area
        (elders only, for users limited to childcare nothing)."""
        if user.institution_id:
            from carecircle.institutions.models import Residency

            stays = Residency.objects.filter(
                person=OuterRef("person"),
                provider_id=user.institution_id,
                discharged_on__isnull=True,
            )
            return Q(Exists(stays))
        return area_scope_q(user, "person__area", "person__domain")

    # Reading -----------------------------------------------------------------------------------

    def is_valid_on(self, on: dt.date) -> bool:
        return self.assessed_on <= on <= self.valid_until and (
            self.invalidated_on is None or self.invalidated_on > on
        )

    def validity_on(self, on: dt.date, expiring_days: int = 0) -> str:
        if self.invalidated_on is not None and self.invalidated_on <= on:
            return Validity.INVALIDATED
        if self.valid_until < on:
            return Validity.EXPIRED
        if expiring_days and self.valid_until < on + dt.timedelta(days=expiring_days):
            return Validity.EXPIRING
        return Validity.VALID

    @property
    def level_short(self) -> str:
        return standard().level(self.final_level).short

    @property
    def domain_scores(self) -> list[tuple[str, str, int, int]]:
        """(code, name, points, maximum) per domain."""
        scores = self.item_scores or {}
        return [
            (
                domain.code,
                domain.name,
                sum(int(scores.get(item.code, 0)) for item in domain.items),
                domain.max_points,
            )
            for domain in standard().domains
        ]
