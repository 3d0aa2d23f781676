from decimal import Decimal

from django.db import migrations


def load(apps, schema_editor):
    # The catalog as it was shaped then (provider as text); later migrations move it on.
    from recert.core.catalog import DEMO_COURSES

    Course = apps.get_model("core", "Course")
    body, _ = apps.get_model("core", "CertifyingBody").objects.get_or_create(
        code="ACE", defaults={"name": "American Council on Exercise"})
    for number, title, provider, credits, fmt, start, until in DEMO_COURSES:
        Course.objects.get_or_create(
            body=body, course_number=number,
            defaults={"title": title, "provider": provider, "credits": Decimal(credits),
                      "format": fmt, "approved_from": start, "approved_until": until})


class Migration(migrations.Migration):
    dependencies = [("core", "0002_course_catalog")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
