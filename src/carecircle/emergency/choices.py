from django.db import models
from django.utils.translation import gettext_lazy as _


class DeviceKind(models.TextChoices):
    CALL_BUTTON = "call_button", _("一键呼叫器")
    WEARABLE = "wearable", _("智能手环/手表")
    FALL_RADAR = "fall_radar", _("跌倒监测雷达")
    SMOKE_GAS_ALARM = "smoke_gas", _("烟感/燃气报警")
    HOTLINE = "hotline", _("固定电话热线登记")
    OTHER = "other", _("其他")


class Coverage(models.TextChoices):
    DEVICE = "device", _("呼叫设备")
    HOTLINE = "hotline", _("热线登记")


class CallKind(models.TextChoices):
    EMERGENCY = "emergency", _("紧急求助")
    FALL = "fall", _("跌倒报警")
    HEALTH = "health", _("健康求助")
    SMOKE_GAS = "smoke_gas", _("烟感/燃气报警")
    ENQUIRY = "enquiry", _("咨询")
    FALSE_ALARM = "false_alarm", _("误报")


class CallOutcome(models.TextChoices):
    HOME_VISIT = "home_visit", _("已上门处置")
    FAMILY_CONTACTED = "family", _("已联系家属")
    AMBULANCE = "ambulance", _("已呼叫120")
    BY_PHONE = "by_phone", _("已电话处置")
    FALSE_ALARM = "false_alarm", _("误报")
    UNREACHABLE = "unreachable", _("未联系上")
