from django.db import migrations


def load(apps, schema_editor):
    from recert.core.catalog import load_demo_catalog

    load_demo_catalog(apps.get_model("core", "Course"), apps.get_model("core", "CertifyingBody"))


class Migration(migrations.Migration):
    dependencies = [("core", "0002_course_catalog")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
