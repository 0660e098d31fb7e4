from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "carecircle.portal"
    label = "portal"
    verbose_name = _("家庭服务门户")
