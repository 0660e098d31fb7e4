from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstitutionsConfig(AppConfig):
    name = "carecircle.institutions"
    label = "institutions"
    verbose_name = _("机构与从业人员")
