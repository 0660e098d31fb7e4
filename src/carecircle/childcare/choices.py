"""Choices of the childcare filing (备案) records, 1+N networks and brand chains.

The filing rules follow 托育机构登记和备案办法（试行） (2019) and 家庭托育点管理办法（试行）
(2023): see ``../shared/spec/domain-facts.md`` §3.2–3.3.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from carecircle.institutions.choices import ProviderKind


class FilingKind(models.TextChoices):
    INSTITUTION = "institution", _("托育机构")
    FAMILY_POINT = "family_point", _("家庭托育点")


def filing_kind_for(provider_kind: str) -> str:
    """A family childcare point files as one; every other childcare provider as an institution."""
    if provider_kind == ProviderKind.FAMILY_POINT:
        return FilingKind.FAMILY_POINT
    return FilingKind.INSTITUTION


class FilingPurpose(models.TextChoices):
    INITIAL = "initial", _("首次备案")
    CHANGE = "change", _("变更备案")
    CLOSURE = "closure", _("注销备案")


class FilingState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    FILED = "filed", _("已备案")
    NEEDS_CORRECTION = "needs_correction", _("需补正")


# A filing the applicant may still edit (its facts and documents).
EDITABLE_STATES = (FilingState.DRAFT, FilingState.NEEDS_CORRECTION)
# A filing not yet decided: at most one per provider.
OPEN_STATES = (FilingState.DRAFT, FilingState.SUBMITTED, FilingState.NEEDS_CORRECTION)


class RegistrationType(models.TextChoices):
    """The kind of legal person, which decides where it registers (登记)."""

    PUBLIC_INSTITUTION = "public_institution", _("事业单位")
    SOCIAL_SERVICE = "social_service", _("社会服务机构（民办非企业单位）")
    FOR_PROFIT = "for_profit", _("营利性机构（企业）")


class RegistrationAuthority(models.TextChoices):
    ESTABLISHMENT = "establishment", _("机构编制部门")
    CIVIL_AFFAIRS = "civil_affairs", _("民政部门")
    MARKET_REGULATION = "market_regulation", _("市场监督管理部门")


AUTHORITY_BY_TYPE = {
    RegistrationType.PUBLIC_INSTITUTION: RegistrationAuthority.ESTABLISHMENT,
    RegistrationType.SOCIAL_SERVICE: RegistrationAuthority.CIVIL_AFFAIRS,
    RegistrationType.FOR_PROFIT: RegistrationAuthority.MARKET_REGULATION,
}


class PremisesTenure(models.TextChoices):
    OWNED = "owned", _("自有")
    LEASED = "leased", _("租赁")


class DocumentKind(models.TextChoices):
    LICENCE = "licence", _("营业执照或法人证书")
    PREMISES = "premises", _("场地证明")
    STAFF = "staff", _("人员资格及健康证明")
    HEALTH_EVALUATION = "health_evaluation", _("托幼机构卫生评价报告（合格）")
    FIRE_SAFETY = "fire_safety", _("消防安全检查合格证明")
    OTHER = "other", _("其他")


# The scans a first filing needs (办法 §2: items 1–5; item 6 "其他" only where the law asks).
REQUIRED_DOCUMENTS = (
    DocumentKind.LICENCE,
    DocumentKind.PREMISES,
    DocumentKind.STAFF,
    DocumentKind.HEALTH_EVALUATION,
    DocumentKind.FIRE_SAFETY,
)


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("放假")
    WORKDAY = "workday", _("调休上班")


# Satellites of a 1+N network: the community points around the hub (家庭托育点 too).
SATELLITE_KINDS = (ProviderKind.COMMUNITY_POINT, ProviderKind.FAMILY_POINT)
