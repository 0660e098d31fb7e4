from django.db import migrations


def load_catalogue(apps, schema_editor):
    from carecircle.indicators.catalog import load

    load(apps.get_model("indicators", "Indicator"))


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]

    operations = [migrations.RunPython(load_catalogue, migrations.RunPython.noop)]
