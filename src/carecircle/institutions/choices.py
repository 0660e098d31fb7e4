from django.db import models
from django.utils.translation import gettext_lazy as _


class ProviderKind(models.TextChoices):
    # Elderly-care institutions (the baseline's "32 institutions").
    WELFARE_HOME = "welfare_home", _("社会福利院")
    RURAL_HOME = "rural_home", _("农村敬老院（特困供养服务机构）")
    PRIVATE_INSTITUTION = "private_institution", _("民办养老机构")
    NURSING_HOME = "nursing_home", _("护理院")
    # Community elderly-service facilities (counted separately).
    COMPREHENSIVE_CENTRE = "comprehensive_centre", _("街道综合性养老服务中心")
    DAYCARE_CENTRE = "daycare_centre", _("日间照料中心")
    HOME_CARE_STATION = "home_care_station", _("居家养老服务中心（站）")
    RURAL_REGIONAL_CENTRE = "rural_regional_centre", _("农村区域性养老服务中心")
    ELDERLY_UNIVERSITY = "elderly_university", _("老年大学")
    # Childcare providers.
    CHILDCARE_STANDALONE = "childcare_standalone", _("托育机构")
    KINDERGARTEN_CLASS = "kindergarten_class", _("幼儿园托班")
    COMMUNITY_POINT = "community_point", _("社区托育点")
    FAMILY_POINT = "family_point", _("家庭托育点")
    EMPLOYER_RUN = "employer_run", _("用人单位办托育")


ELDERLY_INSTITUTION_KINDS = (
    ProviderKind.WELFARE_HOME,
    ProviderKind.RURAL_HOME,
    ProviderKind.PRIVATE_INSTITUTION,
    ProviderKind.NURSING_HOME,
)
COMMUNITY_FACILITY_KINDS = (
    ProviderKind.COMPREHENSIVE_CENTRE,
    ProviderKind.DAYCARE_CENTRE,
    ProviderKind.HOME_CARE_STATION,
    ProviderKind.RURAL_REGIONAL_CENTRE,
    ProviderKind.ELDERLY_UNIVERSITY,
)
CHILDCARE_KINDS = (
    ProviderKind.CHILDCARE_STANDALONE,
    ProviderKind.KINDERGARTEN_CLASS,
    ProviderKind.COMMUNITY_POINT,
    ProviderKind.FAMILY_POINT,
    ProviderKind.EMPLOYER_RUN,
)


class Ownership(models.TextChoices):
    PUBLIC = "public", _("公办")
    PRIVATE = "private", _("民办")
    PUBLIC_BUILT_PRIVATE_RUN = "public_private", _("公建民营")


class ProviderStatus(models.TextChoices):
    ACTIVE = "active", _("运营中")
    SUSPENDED = "suspended", _("暂停")
    CLOSED = "closed", _("已关闭")


class FilingStatus(models.TextChoices):
    NOT_FILED = "not_filed", _("未备案")
    FILED = "filed", _("已备案")
    REVOKED = "revoked", _("已注销备案")


class ServiceMode(models.TextChoices):
    FULL_DAY = "full_day", _("全日托")
    HALF_DAY = "half_day", _("半日托")
    HOURLY = "hourly", _("计时托")
    TEMPORARY = "temporary", _("临时托")


class DesignationKind(models.TextChoices):
    PROVINCIAL_AFFORDABLE_CHILDCARE = "prov_affordable_childcare", _("省级普惠托育机构")
    PROVINCIAL_MODEL_CHILDCARE = "prov_model_childcare", _("省级示范性托育机构")
    NANTONG_AFFORDABLE_CHILDCARE = "nantong_affordable_childcare", _("南通市级普惠托育机构")
    BRAND_CHAIN = "brand_chain", _("托育品牌连锁机构")
    HUB_1N = "hub_1n", _("“1+N”托育服务枢纽")
    ELDERLY_CHILDCARE_INTEGRATION = "integration_demo", _("老幼融合示范点")
    ELDERLY_MODEL_INSTITUTION = "elderly_model", _("示范养老机构")
    DEMENTIA_CARE_UNIT = "dementia_unit", _("认知症照护专区")
    STANDARD_RURAL_CENTRE = "standard_rural_centre", _("省标准化农村区域性养老服务中心")


class IssuingLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    CITY = "city", _("设区市级（南通）")
    COUNTY = "county", _("县级（海安）")


class StaffRole(models.TextChoices):
    CAREGIVER = "caregiver", _("养老护理员")
    NURSE = "nurse", _("护士")
    SOCIAL_WORKER = "social_worker", _("社会工作者")
    CHILDCARE_TEACHER = "childcare_teacher", _("保育员（育婴员）")
    HEALTH_DOCTOR = "health_doctor", _("保健医生")
    MANAGER = "manager", _("管理人员")
    OTHER = "other", _("其他")


class SkillLevel(models.TextChoices):
    NONE = "", _("无")
    ENTRY = "5", _("五级/初级工")
    INTERMEDIATE = "4", _("四级/中级工")
    ADVANCED = "3", _("三级/高级工")
    TECHNICIAN = "2", _("二级/技师")
    SENIOR_TECHNICIAN = "1", _("一级/高级技师")


class CreditStatus(models.TextChoices):
    GOOD = "good", _("良好")
    WATCH = "watch", _("重点关注")
    BLACKLISTED = "blacklisted", _("失信（黑名单）")
    LIFETIME_BAN = "lifetime_ban", _("终身禁入")


class ListKind(models.TextChoices):
    RED = "red", _("红名单")
    WATCH = "watch", _("重点关注名单")
    BLACK = "black", _("黑名单（失信联合惩戒对象）")
    LIFETIME_BAN = "lifetime_ban", _("终身禁入")


class SubjectKind(models.TextChoices):
    PERSON = "person", _("个人")
    ORGANISATION = "organisation", _("机构")


class BedKind(models.TextChoices):
    GENERAL = "general", _("普通床位")
    NURSING = "nursing", _("护理型床位")
    DEMENTIA = "dementia", _("认知症照护床位")
