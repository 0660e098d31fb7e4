from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "carecircle.assessments"
    label = "assessments"
    verbose_name = _("老年人能力评估")
