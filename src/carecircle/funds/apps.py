from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "carecircle.funds"
    label = "funds"
    verbose_name = _("福彩公益金")
