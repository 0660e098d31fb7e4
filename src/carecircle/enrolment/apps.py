from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrolmentConfig(AppConfig):
    name = "carecircle.enrolment"
    label = "enrolment"
    verbose_name = _("托育班级与入托")
