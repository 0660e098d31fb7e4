from django.db import models
from django.utils.translation import gettext_lazy as _


class HospitalLevel(models.TextChoices):
    """医院等级 (一级/二级/三级) of the hospital grading scheme."""

    PRIMARY = "1", _("一级")
    SECONDARY = "2", _("二级")
    TERTIARY = "3", _("三级")


class HospitalGrade(models.TextChoices):
    """医院等次 within a level (甲等 the highest)."""

    A = "a", _("甲等")
    B = "b", _("乙等")
    C = "c", _("丙等")
    UNGRADED = "", _("未定等")


class Direction(models.TextChoices):
    UP = "up", _("上转")  # institution → hospital
    DOWN = "down", _("下转")  # hospital → institution


class Urgency(models.TextChoices):
    # The codes are FHIR's request-priority codes, so they travel unchanged.
    ROUTINE = "routine", _("常规")
    URGENT = "urgent", _("紧急")


class ReferralStatus(models.TextChoices):
    INITIATED = "initiated", _("已发起")
    ACCEPTED = "accepted", _("已接收")
    COMPLETED = "completed", _("已完成")
    REJECTED = "rejected", _("已拒绝")
    CANCELLED = "cancelled", _("已取消")


# What each status may become (the actions on the detail page and in the API).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    ReferralStatus.INITIATED: (
        ReferralStatus.ACCEPTED,
        ReferralStatus.REJECTED,
        ReferralStatus.CANCELLED,
    ),
    ReferralStatus.ACCEPTED: (ReferralStatus.COMPLETED, ReferralStatus.CANCELLED),
    ReferralStatus.COMPLETED: (),
    ReferralStatus.REJECTED: (),
    ReferralStatus.CANCELLED: (),
}
