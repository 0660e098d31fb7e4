"""What an annual health check of an elder comprises (国家基本公共卫生服务规范（第三版）
老年人健康管理服务: 生活方式和健康状况评估、体格检查、辅助检查、健康指导)."""

from django.utils.translation import gettext_lazy as _

# The examinations recorded per check: model field → label. The first is the physical
# examination; the others are the auxiliary examinations (辅助检查).
EXAMINATIONS: tuple[tuple[str, str], ...] = (
    ("physical_exam", _("体格检查")),
    ("blood_routine", _("血常规")),
    ("urine_routine", _("尿常规")),
    ("liver_function", _("肝功能")),
    ("kidney_function", _("肾功能")),
    ("blood_glucose", _("空腹血糖")),
    ("blood_lipids", _("血脂")),
    ("ecg", _("心电图")),
    ("abdominal_ultrasound", _("腹部B超")),
)
EXAMINATION_FIELDS = tuple(name for name, _label in EXAMINATIONS)

# A check counts as the year's health-management record when the elder was examined, their
# lifestyle and health status assessed, and health guidance given: 体检 + 评估 + 指导.
COUNTING_FIELDS = ("physical_exam", "health_assessment", "guidance_given")

# The age from which residents are under annual health management (65 周岁).
MANAGED_AGE = 65
