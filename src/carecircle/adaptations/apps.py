from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdaptationsConfig(AppConfig):
    name = "carecircle.adaptations"
    label = "adaptations"
    verbose_name = _("适老化改造与家庭照护床位")
