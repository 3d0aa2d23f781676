"""Staff of a certifying body: a user holds a role (a Django group with the model
permissions the role needs) at one body. A user may hold several roles at several bodies;
what they see and do is decided per body (recert.core.access)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

# The roles of the staff console (issue 12); each is a Django group of that name, created
# with its permissions by the staff app's migration.
VIEWER, REGISTRAR, AUDITOR, EDUCATION, FINANCE, POLICY = (
    "viewer", "registrar", "auditor", "education", "finance", "policy")
ROLES = (VIEWER, REGISTRAR, AUDITOR, EDUCATION, FINANCE, POLICY)


class StaffMembership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="staff_memberships")
    body = models.ForeignKey("core.CertifyingBody", on_delete=models.PROTECT,
                             related_name="staff_memberships")
    role = models.ForeignKey("auth.Group", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["body__code", "role__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "body", "role"],
                                    name="one_membership_per_user_body_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role.name} at {self.body.code}"
