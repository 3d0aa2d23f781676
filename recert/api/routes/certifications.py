"""Certifications with the engine's evaluation (the shape of `recert evaluate`'s output)."""


from datetime import date

from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from recert.api.problems import ApiProblem
from recert.api.routes.common import Id, responses
from recert.api.schemas import CertificationOut, EvaluationOut
from recert.core.evaluation import standing_of
from recert.rules.case import certification_json, evaluation_json

router = Router(tags=["certifications"])


class AsOf(Schema):
    as_of: date | None = Field(None, description="Evaluation date (default today).")


def certification_out(certification, result) -> dict:
    return {
        "id": certification.pk, "body": certification.program.body.code,
        "program": certification.program.code, "program_name": certification.program.name,
        "certified_on": certification.certified_on,
        "evaluation": certification_json(result) if result is not None else None,
    }


@router.get("/evaluation", response=responses({200: EvaluationOut}), exclude_unset=True,
            summary="Where each certification stands (recert evaluate's output)")
def evaluation(request, query: Query[AsOf]):
    professional = request.auth.professional()
    as_of = query.as_of or timezone.localdate()
    try:
        return evaluation_json(standing_of(professional, as_of).evaluation)
    except KeyError:  # the policies have no rule in force then (e.g. 1970)
        raise ApiProblem(422, f"as_of: no rules of your bodies were in force on "
                              f"{as_of.isoformat()}; choose a later date.", errors=[
                                  {"field": "as_of", "message": "No rules in force then."}],
                         ) from None


@router.get("/certifications", response=responses({200: list[CertificationOut]}),
            exclude_unset=True, summary="Your certifications, each with its evaluation today")
def certification_list(request):
    standing = standing_of(request.auth.professional(), timezone.localdate())
    return [certification_out(c, r) for c, r in standing.rows()]


@router.get("/certifications/{certification_id}",
            response=responses({200: CertificationOut}), exclude_unset=True,
            summary="One certification with its evaluation today")
def certification_detail(request, certification_id: Id):
    standing = standing_of(request.auth.professional(), timezone.localdate())
    for certification, result in standing.rows():
        if certification.pk == certification_id:
            return certification_out(certification, result)
    raise ApiProblem(404, "No such certification, or not yours.")
