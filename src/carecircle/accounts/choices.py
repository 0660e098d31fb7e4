from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITY_OFFICER = "city_officer", _("市级统筹干部")
    CIVIL_AFFAIRS_OFFICER = "civil_affairs_officer", _("民政局干部")
    HEALTH_OFFICER = "health_officer", _("卫健委干部")
    TOWN_OFFICER = "town_officer", _("镇（街道）干部")
    DEPARTMENT_OFFICER = "department_officer", _("部门填报员")
    VILLAGE_WORKER = "village_worker", _("村（社区）工作人员")
    ASSESSOR = "assessor", _("能力评估员")
    HEALTH_WORKER = "health_worker", _("基层卫生人员")
    INSTITUTION_STAFF = "institution_staff", _("机构工作人员")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


class DepartmentKind(models.TextChoices):
    COORDINATION = "coordination", _("发展改革委（统筹办）")
    CIVIL_AFFAIRS = "civil_affairs", _("民政局")
    HEALTH = "health", _("卫生健康委")
    PLANNING = "planning", _("自然资源和规划局")
    HOUSING = "housing", _("住房和城乡建设局")
    HUMAN_RESOURCES = "human_resources", _("人力资源和社会保障局")
    MEDICAL_INSURANCE = "medical_insurance", _("医疗保障局")
    FINANCE = "finance", _("财政局")
    EDUCATION = "education", _("教育体育局")
    TOWN = "town", _("镇（街道）")
    VILLAGE = "village", _("村（社区）")
    IT = "it", _("信息中心")
    OTHER = "other", _("其他")
