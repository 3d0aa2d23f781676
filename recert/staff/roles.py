"""The staff roles as Django groups with the model permissions each needs (issue 12).

Every role reads the people of its bodies (the viewer's permissions); the others add what
their work changes. Created by the staff app's migration and kept in step after every
migrate (post_migrate, also after a test database flush): a permission added here reaches
the group without a new migration.
"""

from __future__ import annotations

VIEW = [
    "core.view_professional", "core.view_memberid", "core.view_certification",
    "core.view_cycle", "core.view_creditentry", "core.view_creditdecision",
    "core.view_document", "core.view_history", "core.view_cpraed",
    "core.view_certifyingbody", "core.view_program", "core.view_course",
    "renewals.view_renewal", "renewals.view_invoice", "renewals.view_invoiceline",
    "renewals.view_payment", "renewals.view_claimedcredit", "renewals.view_reminder",
    "renewals.view_certificationlifecycle",
]
ROLES = {
    "viewer": VIEW,
    "registrar": VIEW + [
        "core.add_professional", "core.change_professional", "core.add_memberid",
        "core.change_memberid", "core.add_certification", "core.change_certification",
        "core.change_cycle", "core.add_creditentry", "core.change_creditentry",
        "core.delete_creditentry", "core.add_document", "core.change_cpraed",
        "renewals.record_exam", "renewals.reinstate_certification",
    ],
    "auditor": VIEW + ["core.add_creditdecision", "core.change_creditdecision"],
    "education": VIEW + ["core.add_course", "core.change_course", "core.delete_course"],
    "finance": VIEW + ["renewals.record_payment", "renewals.view_paymentissue",
                       "renewals.change_paymentissue"],
    "policy": VIEW + ["core.change_certifyingbody", "core.change_program"],
}


def sync_roles(apps) -> None:
    """Each role's group with exactly its permissions (those of models not yet migrated
    are skipped)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        found = []
        for perm in perms:
            app_label, codename = perm.split(".")
            found += Permission.objects.filter(content_type__app_label=app_label,
                                               codename=codename)
        group.permissions.set(found)


def sync_roles_after_migrate(sender, **kwargs) -> None:
    from django.apps import apps

    sync_roles(apps)
