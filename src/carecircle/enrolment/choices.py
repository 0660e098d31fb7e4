from django.db import models
from django.utils.translation import gettext_lazy as _

from carecircle.institutions.choices import StaffRole


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    WAITING = "waiting", _("候补中")
    OFFERED = "offered", _("已发录取通知")
    ENROLLED = "enrolled", _("已入托")
    REFUSED = "refused", _("已拒绝")
    WITHDRAWN = "withdrawn", _("已撤回")
    OFFER_EXPIRED = "offer_expired", _("通知过期")


# Applications still in play: they hold a place in the queue or an offer.
OPEN_STATUSES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.WAITING,
    ApplicationStatus.OFFERED,
)


class ApplicationSource(models.TextChoices):
    PORTAL = "portal", _("家庭服务门户")
    STAFF = "staff", _("机构登记")


class EndReason(models.TextChoices):
    WITHDRAWN = "withdrawn", _("退托")
    AGED_OUT = "aged_out", _("满3周岁")
    TRANSFERRED = "transferred", _("转出")


class Shift(models.TextChoices):
    FULL_DAY = "full_day", _("全天")
    MORNING = "morning", _("上午")
    AFTERNOON = "afternoon", _("下午")


# The halves of the day a shift covers: the ratio must hold in each half a class meets.
SHIFT_HALVES = {
    Shift.FULL_DAY: ("morning", "afternoon"),
    Shift.MORNING: ("morning",),
    Shift.AFTERNOON: ("afternoon",),
}

# Staff who count as carers (保育人员) for the ratio.
CARER_ROLES = (StaffRole.CHILDCARE_TEACHER,)
