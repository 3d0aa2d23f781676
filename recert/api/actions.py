"""Every write to the API's models: creating and revoking access tokens (with a history row
on the owner's record), and the bookkeeping of last use."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from recert.api.models import AccessToken, hash_secret
from recert.core.actions import history
from recert.core.models import History, Professional


def _professional_of(user) -> Professional | None:
    return Professional.objects.filter(user=user).first()


@transaction.atomic
def do_create_access_token(user, *, name: str, scope: str, expires_at: datetime | None,
                           actor, kind: str = AccessToken.PERSONAL,
                           provider=None) -> tuple[AccessToken, str]:
    """A new token for `user` (of `kind`; a provider token for `provider`, which the caller
    checked `user` is a member of): returns (row, raw token). The raw token is shown once
    and never stored or logged; the history row names the token, not its secret."""
    prefix, raw = AccessToken.generate()
    token = AccessToken(user=user, name=name.strip(), scope=scope, prefix=prefix, kind=kind,
                        provider=provider, token_hash=hash_secret(raw), expires_at=expires_at)
    token.full_clean()
    token.save()
    history.record(History.Action.CREATE, token, actor=actor,
                   professional=_professional_of(user),
                   changes={"name": [None, token.name], "scope": [None, token.scope],
                            "kind": [None, token.kind],
                            "provider": [None, str(provider) if provider else None],
                            "expires_at": [None, history._jsonable(expires_at)]})
    return token, raw


@transaction.atomic
def do_revoke_access_token(token: AccessToken, *, actor) -> AccessToken:
    """Stops the token at once; revoking twice changes nothing."""
    token = AccessToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        history.record(History.Action.UPDATE, token, actor=actor,
                       professional=_professional_of(token.user),
                       changes={"revoked_at": [None, token.revoked_at.isoformat()]})
    return token


def touch_access_token(token: AccessToken, *, every_seconds: int = 60) -> None:
    """Records the token's last use (at most once a minute: a busy script would otherwise
    write a row per call). Bookkeeping like a user's last_login: no history row."""
    now = timezone.now()
    if token.last_used_at and (now - token.last_used_at).total_seconds() < every_seconds:
        return
    AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
