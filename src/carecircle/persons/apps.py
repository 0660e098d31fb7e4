from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PersonsConfig(AppConfig):
    name = "carecircle.persons"
    label = "persons"
    verbose_name = _("老年人与婴幼儿")
