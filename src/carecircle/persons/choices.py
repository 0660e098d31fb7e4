from django.db import models
from django.utils.translation import gettext_lazy as _


class LivingArrangement(models.TextChoices):
    ALONE = "alone", _("独居")
    SPOUSE_ONLY = "spouse_only", _("仅与配偶同住（空巢）")
    WITH_FAMILY = "with_family", _("与子女或其他家人同住")
    INSTITUTION = "institution", _("入住机构")
    UNKNOWN = "", _("未登记")


class HardshipKind(models.TextChoices):
    EXTREME_POVERTY = "extreme_poverty", _("特困")
    MINIMUM_LIVING = "minimum_living", _("低保")
    NEAR_MINIMUM = "near_minimum", _("低保边缘")
    ECONOMIC_HARDSHIP = "economic_hardship", _("经济困难")
    DISABLED = "disabled", _("失能")
    DEMENTIA = "dementia", _("失智")
    FAMILY_PLANNING_SPECIAL = "family_planning_special", _("计划生育特殊家庭")


class DisabilityKind(models.TextChoices):
    NONE = "", _("无")
    VISUAL = "visual", _("视力残疾")
    HEARING = "hearing", _("听力残疾")
    SPEECH = "speech", _("言语残疾")
    PHYSICAL = "physical", _("肢体残疾")
    INTELLECTUAL = "intellectual", _("智力残疾")
    MENTAL = "mental", _("精神残疾")
    MULTIPLE = "multiple", _("多重残疾")


class ContactRelation(models.TextChoices):
    GUARDIAN = "guardian", _("监护人")
    EMERGENCY = "emergency", _("紧急联系人")
