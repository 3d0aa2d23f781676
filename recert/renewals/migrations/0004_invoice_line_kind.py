"""Invoice lines say what they charge for (kind) instead of code matching their text."""

from django.db import migrations, models

# The texts the lines were written with before they had a kind (renewals/quotes.py).
LATE_FEE_LINE = "Late fee (renewal during the grace period)"
ADDITIONAL_PREFIX = "Additional certification:"


def backfill_kinds(apps, schema_editor):
    InvoiceLine = apps.get_model("renewals", "InvoiceLine")
    InvoiceLine.objects.filter(description=LATE_FEE_LINE).update(kind="late_fee")
    InvoiceLine.objects.filter(description__startswith=ADDITIONAL_PREFIX).update(
        kind="additional")


class Migration(migrations.Migration):

    dependencies = [
        ('renewals', '0003_staff_permissions'),
    ]

    operations = [
        migrations.AddField(
            model_name='invoiceline',
            name='kind',
            field=models.CharField(choices=[('fee', 'recertification fee'), ('additional', 'additional certification'), ('late_fee', 'late fee')], default='fee', max_length=20),
        ),
        migrations.RunPython(backfill_kinds, migrations.RunPython.noop),
    ]
