from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyConfig(AppConfig):
    name = "carecircle.emergency"
    label = "emergency"
    verbose_name = _("紧急呼叫与应急服务")
