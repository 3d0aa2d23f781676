"""The staff roles as Django groups with their permissions (recert.staff.roles)."""

from django.db import migrations


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from recert.staff.roles import sync_roles

    # Permissions are normally created after all migrations ran; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0010_staff_membership"),
        ("renewals", "0006_backfill_claimed_credits"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
