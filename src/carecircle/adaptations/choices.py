from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectStatus(models.TextChoices):
    APPLIED = "applied", _("申请")
    ASSESSED = "assessed", _("已评估")
    IN_PROGRESS = "in_progress", _("施工中")
    COMPLETED = "completed", _("已完工")
    CANCELLED = "cancelled", _("已取消")


# A project still on its way to completion (the E11 worklist).
OPEN_STATUSES = (ProjectStatus.APPLIED, ProjectStatus.ASSESSED, ProjectStatus.IN_PROGRESS)
# Items may change until the work is finished or the project is dropped.
EDITABLE_STATUSES = OPEN_STATUSES


class ItemKind(models.TextChoices):
    BATHROOM_GRAB_BARS = "grab_bars", _("卫生间扶手")
    ANTI_SLIP = "anti_slip", _("防滑处理")
    LEVEL_DIFFERENCE = "level_difference", _("高差处理")
    COMMODE_SHOWER_CHAIR = "commode_chair", _("坐便椅/洗澡椅")
    CARE_BED = "care_bed", _("适老化床")
    EMERGENCY_CALL = "emergency_call", _("紧急呼叫装置")
    SMART_MONITORING = "smart_monitoring", _("智能监测设备")
    LIGHTING = "lighting", _("照明改造")
    OTHER = "other", _("其他")


class BedEndReason(models.TextChoices):
    DECEASED = "deceased", _("老人去世")
    ADMITTED = "admitted", _("入住养老机构")
    MOVED = "moved", _("迁出服务区域")
    WITHDRAWN = "withdrawn", _("本人或家属申请退出")
    PROVIDER_CHANGED = "provider_changed", _("更换服务机构")
    OTHER = "other", _("其他")
