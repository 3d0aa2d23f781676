"""Granting and withdrawing staff roles at a certifying body."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from recert.core.actions import history
from recert.core.models import CertifyingBody, History, StaffMembership
from recert.core.models.staff import ROLES


def _role(name: str) -> Group:
    if name not in ROLES:
        raise ValidationError({"role": f"Unknown role {name!r}; the roles are "
                                       f"{', '.join(ROLES)}."})
    # Created with its permissions by the staff app's migration (and every migrate); a
    # database flushed since (tests) gets the group back here, its permissions at the next.
    return Group.objects.get_or_create(name=name)[0]


@transaction.atomic
def do_grant_staff_role(user, body: CertifyingBody, role: str, *, actor) -> StaffMembership:
    """`user` holds `role` at `body` (granting it twice changes nothing)."""
    group = _role(role)
    membership = StaffMembership.objects.filter(user=user, body=body, role=group).first()
    if membership is None:
        membership = StaffMembership(user=user, body=body, role=group)
        membership.full_clean()
        membership.save()
        history.record(History.Action.CREATE, membership, actor=actor,
                       changes={"user": [None, user.get_username()], "body": [None, body.code],
                                "role": [None, role]})
    return membership


@transaction.atomic
def do_revoke_staff_role(user, body: CertifyingBody, role: str, *, actor) -> bool:
    """Withdraws `role` at `body`; False when the user did not hold it."""
    membership = StaffMembership.objects.filter(user=user, body=body,
                                                role=_role(role)).first()
    if membership is None:
        return False
    history.record(History.Action.DELETE, membership, actor=actor,
                   changes={"user": [user.get_username(), None], "body": [body.code, None],
                            "role": [role, None]})
    membership.delete()
    return True
