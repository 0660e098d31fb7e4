"""Load the national immunisation schedule (2021 edition) into ``VaccineDose``: editable data."""

import json
import uuid
from pathlib import Path

from django.db import migrations

SCHEDULE = Path(__file__).resolve().parent.parent / "data" / "immunisation_schedule.json"


def load(apps, schema_editor):
    VaccineDose = apps.get_model("childhealth", "VaccineDose")
    doses = json.loads(SCHEDULE.read_text(encoding="utf-8"))["doses"]
    for sequence, row in enumerate(doses, start=1):
        VaccineDose.objects.update_or_create(
            code=row["code"],
            dose_number=row["dose"],
            defaults={
                "vaccine_name": row["vaccine"],
                "due_months": row["months"],
                "due_days": row["days"],
                "sequence": sequence,
                "note": row.get("note", ""),
                # A fixed identifier per dose: the same on every installation.
                "uuid": uuid.uuid5(uuid.NAMESPACE_URL, f"carecircle:vaccine:{row['code']}:{row['dose']}"),
            },
        )


def unload(apps, schema_editor):
    apps.get_model("childhealth", "VaccineDose").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("childhealth", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
