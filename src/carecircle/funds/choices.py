from django.db import models
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    """What a welfare-lottery fund allocation is for; E07 counts 养老服务 against the total."""

    ELDERLY_SERVICES = "elderly", _("养老服务")
    CHILD_WELFARE = "children", _("儿童福利")
    DISABILITY_WELFARE = "disability", _("残疾人福利")
    SOCIAL_ASSISTANCE = "assistance", _("社会救助")
    OTHER = "other", _("其他")
