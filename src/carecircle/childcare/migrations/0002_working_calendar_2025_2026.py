"""Public holidays and make-up working days of 2025 and 2026, from the State Council's notices
(国办发明电〔2024〕12号 of 2024-11-12 for 2025; the notice of 2025-11-04 for 2026). Later years are
added in the admin site when they are published."""

import datetime as dt

from django.db import migrations

SOURCE_2025 = "国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）"
SOURCE_2026 = "国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）"

# (first day, last day, name) of each holiday; (day, name) of each weekend day worked.
HOLIDAYS = {
    SOURCE_2025: [
        ("2025-01-01", "2025-01-01", "元旦"),
        ("2025-01-28", "2025-02-04", "春节"),
        ("2025-04-04", "2025-04-06", "清明节"),
        ("2025-05-01", "2025-05-05", "劳动节"),
        ("2025-05-31", "2025-06-02", "端午节"),
        ("2025-10-01", "2025-10-08", "国庆节、中秋节"),
    ],
    SOURCE_2026: [
        ("2026-01-01", "2026-01-03", "元旦"),
        ("2026-02-15", "2026-02-23", "春节"),
        ("2026-04-04", "2026-04-06", "清明节"),
        ("2026-05-01", "2026-05-05", "劳动节"),
        ("2026-06-19", "2026-06-21", "端午节"),
        ("2026-09-25", "2026-09-27", "中秋节"),
        ("2026-10-01", "2026-10-07", "国庆节"),
    ],
}
WORKDAYS = {
    SOURCE_2025: [
        ("2025-01-26", "春节"),
        ("2025-02-08", "春节"),
        ("2025-04-27", "劳动节"),
        ("2025-09-28", "国庆节、中秋节"),
        ("2025-10-11", "国庆节、中秋节"),
    ],
    SOURCE_2026: [
        ("2026-01-04", "元旦"),
        ("2026-02-14", "春节"),
        ("2026-02-28", "春节"),
        ("2026-05-09", "劳动节"),
        ("2026-09-20", "国庆节"),
        ("2026-10-10", "国庆节"),
    ],
}


def rows():
    for source, spans in HOLIDAYS.items():
        for first, last, name in spans:
            day, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
            while day <= end:
                yield day, "holiday", name, source
                day += dt.timedelta(days=1)
    for source, days in WORKDAYS.items():
        for day, name in days:
            yield dt.date.fromisoformat(day), "workday", f"{name}调休", source


def load(apps, schema_editor):
    Day = apps.get_model("childcare", "WorkingCalendarDay")
    for day, kind, name, source in rows():
        Day.objects.update_or_create(
            day=day, defaults={"kind": kind, "name": name, "source": source}
        )


def unload(apps, schema_editor):
    Day = apps.get_model("childcare", "WorkingCalendarDay")
    Day.objects.filter(day__in=[row[0] for row in rows()]).delete()


class Migration(migrations.Migration):
    dependencies = [("childcare", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
