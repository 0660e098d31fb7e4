"""Annual health checks of elders (老年人健康管理), by primary-care health institutions."""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from carecircle.core.models import BaseModel, area_scope_q
from carecircle.health.choices import COUNTING_FIELDS, EXAMINATIONS


def counting_q(prefix: str = "") -> Q:
    """Checks that count as the annual health-management record (体检 + 评估 + 指导)."""
    p = f"{prefix}__" if prefix else ""
    return Q(**{f"{p}{name}": True for name in COUNTING_FIELDS})


class ElderHealthCheck(BaseModel):
    """One health check of an elder on a day. Seen where the elder is seen (their area, or the
    institution they live in)."""

    person = models.ForeignKey(
        "persons.Person",
        verbose_name=_("老人"),
        on_delete=models.PROTECT,
        related_name="health_checks",
        # The unique (person, checked_on) index serves every lookup by person; a second index
        # would only slow the bulk writes (about 280,000 checks at demo scale 1).
        db_index=False,
    )
    checked_on = models.DateField(_("体检日期"), db_index=True)
    hospital = models.ForeignKey(
        "referrals.Hospital",
        verbose_name=_("体检机构（已登记）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="health_checks",
        help_text=_("已在本平台登记的医院或基层医疗卫生机构"),
    )
    institution_name = models.CharField(
        _("体检机构"),
        max_length=150,
        help_text=_("乡镇卫生院、社区卫生服务中心等基层医疗卫生机构的名称"),
    )
    physical_exam = models.BooleanField(EXAMINATIONS[0][1], default=False)
    blood_routine = models.BooleanField(EXAMINATIONS[1][1], default=False)
    urine_routine = models.BooleanField(EXAMINATIONS[2][1], default=False)
    liver_function = models.BooleanField(EXAMINATIONS[3][1], default=False)
    kidney_function = models.BooleanField(EXAMINATIONS[4][1], default=False)
    blood_glucose = models.BooleanField(EXAMINATIONS[5][1], default=False)
    blood_lipids = models.BooleanField(EXAMINATIONS[6][1], default=False)
    ecg = models.BooleanField(EXAMINATIONS[7][1], default=False)
    abdominal_ultrasound = models.BooleanField(EXAMINATIONS[8][1], default=False)
    health_assessment = models.BooleanField(
        _("健康状况评估"),
        default=False,
        help_text=_("生活方式和健康状况评估（含生活自理能力评估）"),
    )
    results_summary = models.TextField(_("体检结果摘要"), blank=True, max_length=2000)
    guidance_given = models.BooleanField(
        _("已进行健康指导"), default=False, help_text=_("告知体检结果并进行相应健康指导")
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("老年人健康体检")
        verbose_name_plural = _("老年人健康体检")
        ordering = ["-checked_on", "-pk"]
        permissions = [("import_elderhealthcheck", _("导入老年人健康体检"))]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "checked_on"],
                name="health_elderhealthcheck_unique_day",
                violation_error_message=_("该老人该日期已有体检记录"),
            ),
            models.CheckConstraint(
                condition=~Q(institution_name=""),
                name="health_elderhealthcheck_institution",
                violation_error_message=_("请填写体检机构"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.checked_on} {self.institution_name}"

    @classmethod
    def scope_q(cls, user) -> Q | None:
        if user.institution_id:
            from carecircle.institutions.models import Residency

            stays = Residency.objects.filter(
                person=OuterRef("person"),
                provider_id=user.institution_id,
                discharged_on__isnull=True,
            )
            return Q(Exists(stays))
        return area_scope_q(user, "person__area", "person__domain")

    @property
    def counts_as_management(self) -> bool:
        return all(getattr(self, name) for name in COUNTING_FIELDS)

    @property
    def examinations_done(self) -> list[str]:
        return [str(label) for name, label in EXAMINATIONS if getattr(self, name)]
