"""The class rules of 托育机构设置标准（试行） and the first priority groups, as editable data."""

from django.db import migrations

NATIONAL = "托育机构设置标准（试行）（国卫人口发〔2019〕58号）"

CLASS_RULES = [
    # code, name, min months, max months (exclusive), max children, children per carer,
    # local rule, source, order
    ("infant", "乳儿班", 6, 12, 10, 3, False, NATIONAL, 1),
    ("toddler", "托小班", 12, 24, 15, 5, False, NATIONAL, 2),
    ("older_toddler", "托大班", 24, 36, 20, 7, False, NATIONAL, 3),
    (
        "mixed",
        "混合班",
        18,
        36,
        18,
        6,
        True,
        "国家标准允许混合编班（18个月以上，不超过18人）；1:6 师生比为地方规定（参照深圳）",
        4,
    ),
]

PRIORITY_GROUPS = [
    ("military", "军人、消防救援人员子女", 1, "依法享受优先待遇"),
    ("multi_child", "多孩家庭", 2, "二孩及以上家庭"),
    ("dual_employee", "双职工家庭", 3, "父母双方均在职"),
    ("employee_child", "本单位职工子女", 4, "用人单位办托育的本单位职工子女"),
]


def seed(apps, schema_editor):
    ClassRule = apps.get_model("enrolment", "ClassRule")
    PriorityGroup = apps.get_model("enrolment", "PriorityGroup")
    for code, name, low, high, size, per_carer, local, source, order in CLASS_RULES:
        ClassRule.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "min_months": low,
                "max_months": high,
                "max_children": size,
                "children_per_carer": per_carer,
                "is_local_rule": local,
                "source": source,
                "sort_order": order,
            },
        )
    for code, name, rank, description in PRIORITY_GROUPS:
        PriorityGroup.objects.get_or_create(
            code=code, defaults={"name": name, "rank": rank, "description": description}
        )


class Migration(migrations.Migration):
    dependencies = [("enrolment", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
