"""ICD-10 diagnosis codes: the format every code must have, and the optional list of codes allowed.

The format is the WHO category (a letter and two digits) with an optional subdivision after the
dot, long enough for the national clinical edition's extensions (``I63.900x002``). When
``settings.CARECIRCLE_ICD10_CODES`` lists codes, a code must be in it, or its category must.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

ICD10_PATTERN = re.compile(r"^[A-Z][0-9]{2}(\.[0-9A-Za-z]{1,8})?$")

# Diagnoses elders are commonly referred for; offered as suggestions in the referral form.
COMMON_DIAGNOSES: tuple[tuple[str, str], ...] = (
    ("I10", gettext_lazy("原发性高血压")),
    ("I63.9", gettext_lazy("脑梗死")),
    ("I50.9", gettext_lazy("心力衰竭")),
    ("I25.1", gettext_lazy("动脉硬化性心脏病")),
    ("I48", gettext_lazy("心房颤动和扑动")),
    ("E11.9", gettext_lazy("2型糖尿病")),
    ("J18.9", gettext_lazy("肺炎")),
    ("J44.1", gettext_lazy("慢性阻塞性肺病伴有急性加重")),
    ("N39.0", gettext_lazy("泌尿道感染")),
    ("S72.0", gettext_lazy("股骨颈骨折")),
    ("F03", gettext_lazy("痴呆")),
    ("G20", gettext_lazy("帕金森病")),
    ("K29.7", gettext_lazy("胃炎")),
    ("L89.9", gettext_lazy("压疮")),
    ("R26.8", gettext_lazy("步态和移动异常（跌倒风险）")),
    ("Z50.9", gettext_lazy("康复治疗")),
)


def normalise_icd10(raw: str) -> str:
    """Trimmed, with the category in capitals (the subdivision keeps its case: ``x`` marks a
    national extension)."""
    code = (raw or "").strip().replace(" ", "")
    return code[:3].upper() + code[3:]


def icd10_problem(code: str) -> str | None:
    """Why ``code`` is not an acceptable diagnosis code, or ``None``."""
    if not ICD10_PATTERN.match(code):
        return _("诊断编码“%(c)s”不符合ICD-10格式（如 I63.9、J18.9）") % {"c": code}
    allowed = getattr(settings, "CARECIRCLE_ICD10_CODES", None)
    if allowed and code not in allowed and code[:3] not in allowed:
        return _("诊断编码“%(c)s”不在允许的ICD-10编码表中") % {"c": code}
    return None


def validate_icd10(value: str) -> None:
    problem = icd10_problem(value)
    if problem:
        raise ValidationError(problem)
