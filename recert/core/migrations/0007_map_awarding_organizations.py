"""Existing entries typed before the report form's list became the awarding organization:
a provider that names a known awarding organization (its code or its full name, as the old
list offered them) while the entry says "another organization" now names it as the awarding
organization, so that its credits convert as that organization's (a NASM 1.5 CEC certificate
counts 15 ACSM CECs, not 1.5). What was typed is kept; each change leaves a history row."""

from __future__ import annotations

from django.db import migrations

REASON = "The provider names a known awarding organization (issue 10 data migration)."


def known_names() -> dict[str, str]:
    from recert.rules import load_policies

    policies = load_policies()
    names: dict[str, str] = {}
    for code, name in policies.organizations.items():
        if code != "OTHER":
            names[code.casefold()] = code
            names[name.casefold()] = code
    for code, body in policies.bodies.items():
        names.setdefault(code.casefold(), code)
        names.setdefault(body.name.casefold(), code)
    return names


def forwards(apps, schema_editor):
    CreditEntry = apps.get_model("core", "CreditEntry")
    History = apps.get_model("core", "History")
    names = known_names()
    for entry in CreditEntry.objects.filter(awarded_by="OTHER").exclude(provider="").iterator():
        code = names.get(entry.provider.strip().casefold())
        if code is None:
            continue
        CreditEntry.objects.filter(pk=entry.pk).update(awarded_by=code)
        History.objects.create(
            actor=None, action="update", object_type="creditentry", object_id=entry.pk,
            professional_id=entry.professional_id,
            changes={"awarded_by": ["OTHER", code], "reason": [None, REASON]})


class Migration(migrations.Migration):

    dependencies = [("core", "0006_credit_decisions")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
