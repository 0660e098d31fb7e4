"""Django already creates ``areas_area_path_<hash>_like`` (varchar_pattern_ops) for the path
column on PostgreSQL; the index added by 0002 duplicated it and slowed every write."""

from django.db import migrations


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS areas_area_path_like")


def _create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS areas_area_path_like ON areas_area "
            "(path varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [("areas", "0002_path_pattern_index")]

    operations = [migrations.RunPython(_drop, _create)]
