from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "carecircle.visits"
    label = "visits"
    verbose_name = _("探访关爱与一助一结对")
