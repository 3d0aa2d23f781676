"""GET /me: the caller."""


from ninja import Router

from recert.api.routes.common import responses
from recert.api.schemas import MeOut

router = Router(tags=["me"])


@router.get("/me", response=responses({200: MeOut}), summary="The caller")
def me(request):
    principal = request.auth
    professional = principal.professional()
    token = principal.token
    return {
        "username": principal.user.get_username(), "email": principal.user.email,
        "full_name": professional.full_name, "professional_id": professional.pk,
        "member_ids": [{"body": m.body.code, "member_id": m.member_id}
                       for m in professional.member_ids.select_related("body")],
        "auth": {"via": principal.via, "token_name": token.name if token else None,
                 "scope": token.scope if token else "write"},
    }
