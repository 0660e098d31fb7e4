from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitMode(models.TextChoices):
    """How a visit took place. Every mode counts for the monthly visit rate (E04)."""

    HOME = "home", _("上门")
    PHONE = "phone", _("电话")
    VIDEO = "video", _("视频")


class VisitFinding(models.TextChoices):
    """What the visitor found; several may apply, 正常 stands alone."""

    NORMAL = "normal", _("正常")
    UNWELL = "unwell", _("身体不适")
    LIVING_DIFFICULTY = "living_difficulty", _("生活困难")
    HOUSING_HAZARD = "housing_hazard", _("居住安全隐患")
    POOR_MENTAL_STATE = "poor_mental_state", _("精神状态差")
    OTHER = "other", _("其他")


class HelperKind(models.TextChoices):
    NEIGHBOUR = "neighbour", _("邻居")
    VOLUNTEER = "volunteer", _("志愿者")
    VILLAGE_CADRE = "village_cadre", _("村（居）干部")
    PARTY_MEMBER = "party_member", _("党员")
    RELATIVE = "relative", _("亲属")
    OTHER = "other", _("其他")


class HelpKind(models.TextChoices):
    CALL_ON = "call_on", _("探望")
    SHOPPING = "shopping", _("代购")
    MEDICAL_ESCORT = "medical_escort", _("助医陪同")
    HOUSEWORK = "housework", _("家务")
    OTHER = "other", _("其他")


class OverdueKind(models.TextChoices):
    """The due list's alerts."""

    MISSED = "missed", _("上月漏访")
    STALE = "stale", _("久未探访")
