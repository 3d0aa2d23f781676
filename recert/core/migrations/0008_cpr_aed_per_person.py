"""CPR/AED moves from each certification to the person (one record for all of them): each
professional's record takes the latest expiry date found on their certifications (where they
disagree, the latest card is the one in force)."""

import django.db.models.deletion
import recert.core.models.professionals
from django.db import migrations, models


def move_to_person(apps, schema_editor):
    Certification = apps.get_model("core", "Certification")
    CprAed = apps.get_model("core", "CprAed")
    latest: dict[int, object] = {}
    for professional_id, until in (Certification.objects.exclude(cpr_aed_valid_until=None)
                                   .values_list("professional_id", "cpr_aed_valid_until")):
        if professional_id not in latest or until > latest[professional_id]:
            latest[professional_id] = until
    CprAed.objects.bulk_create(CprAed(professional_id=pk, valid_until=until)
                               for pk, until in sorted(latest.items()))


def back_to_certifications(apps, schema_editor):
    Certification = apps.get_model("core", "Certification")
    CprAed = apps.get_model("core", "CprAed")
    for record in CprAed.objects.exclude(valid_until=None):
        Certification.objects.filter(professional_id=record.professional_id).update(
            cpr_aed_valid_until=record.valid_until)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0007_map_awarding_organizations'),
    ]

    operations = [
        migrations.AlterField(
            model_name='history',
            name='action',
            field=models.CharField(choices=[('create', 'created'), ('update', 'changed'), ('delete', 'deleted'), ('restore', 'restored'), ('attach_document', 'document attached'), ('issue_claim_link', 'claim link issued'), ('claim_account', 'account claimed'), ('regenerate', 'secret regenerated'), ('void', 'invoice voided'), ('cancel', 'renewal cancelled'), ('add_late_fee', 'late fee added'), ('record_payment', 'payment recorded'), ('complete', 'renewal completed'), ('renewed', 'renewed'), ('exam', 'renewed by exam'), ('record_exam_pass', 'passed exam recorded'), ('reinstate', 'reinstated'), ('status_change', 'status changed'), ('send_reminder', 'reminder sent'), ('correct', 'corrected by staff'), ('decide', 'reviewed'), ('remove_document', 'document removed'), ('set_cpr_aed', 'CPR/AED updated')], max_length=40),
        ),
        migrations.CreateModel(
            name='CprAed',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('provider', models.CharField(blank=True, max_length=200)),
                ('valid_until', models.DateField(blank=True, null=True, verbose_name='valid until')),
                ('card', models.FileField(blank=True, max_length=300, upload_to=recert.core.models.professionals.cpr_card_path)),
                ('card_name', models.CharField(blank=True, max_length=255)),
                ('card_content_type', models.CharField(blank=True, max_length=100)),
                ('card_sha256', models.CharField(blank=True, max_length=64)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('professional', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='cpr_aed', to='core.professional')),
            ],
            options={
                'verbose_name': 'CPR/AED certification',
            },
        ),
        migrations.RunPython(move_to_person, back_to_certifications),
        migrations.RemoveField(
            model_name='certification',
            name='cpr_aed_valid_until',
        ),
    ]
