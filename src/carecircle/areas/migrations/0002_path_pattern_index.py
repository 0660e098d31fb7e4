"""Prefix (LIKE 'x%') lookups on the materialised path use an index on PostgreSQL too."""

from django.db import migrations


def _create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS areas_area_path_like ON areas_area "
            "(path varchar_pattern_ops)"
        )


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS areas_area_path_like")


class Migration(migrations.Migration):
    dependencies = [("areas", "0001_initial")]

    operations = [migrations.RunPython(_create, _drop)]
