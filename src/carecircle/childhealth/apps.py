from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChildhealthConfig(AppConfig):
    name = "carecircle.childhealth"
    label = "childhealth"
    verbose_name = _("婴幼儿健康服务")
