from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomecareConfig(AppConfig):
    name = "carecircle.homecare"
    label = "homecare"
    verbose_name = _("居家养老上门服务（政府购买）")
