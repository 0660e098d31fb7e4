from django.db import models
from django.utils.translation import gettext_lazy as _


class Domain(models.TextChoices):
    ELDERLY = "elderly", _("养老")
    CHILDCARE = "childcare", _("托育")


class ScopeDomain(models.TextChoices):
    ELDERLY = "elderly", _("养老")
    CHILDCARE = "childcare", _("托育")
    BOTH = "both", _("养老和托育")


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")
