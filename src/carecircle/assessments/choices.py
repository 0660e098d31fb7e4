"""Choices of the assessments app. Reasons and levels come from the standard's data file."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from carecircle.assessments.standard import standard


def reason_choices() -> list[tuple[str, str]]:
    """A.1.3 评估原因 (callable: Django reads it when needed, migrations keep the reference)."""
    return [(reason.code, reason.name) for reason in standard().reasons]


def level_choices() -> list[tuple[int, str]]:
    """C.3/C.5 能力等级 0–4."""
    return [(band.level, band.name) for band in sorted(standard().levels, key=lambda b: b.level)]


def risk_kind_choices() -> list[tuple[str, str]]:
    return [(kind.code, kind.name) for kind in standard().risk_kinds]


def disease_choices() -> list[tuple[str, str]]:
    return [(disease.code, disease.label) for disease in standard().diseases]


class UpgradeMode(models.TextChoices):
    """Whether the two +1 rules of C.4 add up when both apply (the standard does not say)."""

    ONCE = "once", _("两项同时满足只提高一级")
    ADD = "add", _("两项同时满足提高两级")


class Validity(models.TextChoices):
    VALID = "valid", _("有效")
    EXPIRING = "expiring", _("即将到期")
    EXPIRED = "expired", _("已过期")
    INVALIDATED = "invalidated", _("已作废")


class DueReason(models.TextChoices):
    """Why an elder is on the due worklist."""

    NEVER = "never", _("80岁及以上，从未评估")
    LAPSED = "lapsed", _("80岁及以上，评估已失效")
    EXPIRING = "expiring", _("评估即将到期")
