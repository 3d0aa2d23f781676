"""What the API sends and accepts. Amounts are decimal strings ("1.5"), dates ISO.

Input schemas only say what type each field has: what a value must be (a real date, a listed
format, a non-negative amount, …) is checked by the pages' own forms, whose messages come
back in the problem document (recert/api/problems.py)."""


from datetime import date, datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

Decimal_ = Annotated[str, Field(pattern=r"^-?\d+(\.\d+)?$", examples=["1.5"],
                                description="A decimal number as a string.")]
IsoDate = Annotated[str | None, Field(
    default=None, examples=["2026-03-14"], max_length=40,
    description="YYYY-MM-DD (MM/DD/YYYY is accepted too, as on the pages).")]
Text = Annotated[str | None, Field(default=None, max_length=1000)]


# --- the engine's evaluation, exactly as `recert evaluate` prints it ------------------------

class CycleOut(Schema):
    start: date
    end: date


class RenewalOut(Schema):
    can_renew: bool
    blockers: list[str]
    fee: Decimal_
    late_fee: Decimal_


class CreditResultOut(Schema):
    id: str
    outcome: str
    converted: Decimal_
    counted: Decimal_
    rules: list[str]
    reason: str | None = Field(None, description="A person's reason (REVIEW-1), when given.")


class CertificationResultOut(Schema):
    id: str
    body: str
    program: str
    cycle: CycleOut
    status: str
    required: Decimal_
    earned: Decimal_
    remaining: Decimal_
    renewal: RenewalOut
    credits: list[CreditResultOut]


class RenewalGroupOut(Schema):
    body: str
    certifications: list[str]
    required: Decimal_
    fee: Decimal_


class EvaluationOut(Schema):
    as_of: date
    certifications: list[CertificationResultOut]
    renewals: list[RenewalGroupOut]


# --- the caller ----------------------------------------------------------------------------

class MemberIdOut(Schema):
    body: str
    member_id: str


class AuthOut(Schema):
    via: str = Field(description="token or session")
    token_name: str | None
    scope: str = Field(description="read or write")


class MeOut(Schema):
    username: str
    email: str
    full_name: str
    professional_id: int
    member_ids: list[MemberIdOut]
    auth: AuthOut


# --- certifications ------------------------------------------------------------------------

class CertificationOut(Schema):
    id: int
    body: str
    program: str
    program_name: str
    certified_on: date
    evaluation: CertificationResultOut | None = Field(
        description="The engine's evaluation today, as in `recert evaluate`'s output.")


class QuoteLineOut(Schema):
    description: str
    amount: Decimal_
    kind: str


class QuoteOut(Schema):
    certification_id: int
    as_of: date
    can_renew: bool
    refusals: list[str]
    body: str
    certifications: list[int]
    required: Decimal_
    fee: Decimal_
    late_fee: Decimal_
    total: Decimal_
    lines: list[QuoteLineOut]
    cpr_aed_required: bool
    cycle_end: date | None


class InvoiceLineOut(Schema):
    description: str
    amount: Decimal_
    kind: str


class InvoiceOut(Schema):
    number: str
    issued_on: date
    currency: str
    total: Decimal_
    status: str
    paid_at: datetime | None
    lines: list[InvoiceLineOut]


# --- providers (a provider token's organization) -----------------------------------------

class ApprovalOut(Schema):
    body: str
    approved_from: date
    approved_until: date | None
    provider_number: str
    in_force: bool = Field(description="Whether the approval covers today.")


class ProviderOut(Schema):
    id: int
    name: str
    email: str
    website: str
    city: str
    postal_code: str
    approvals: list[ApprovalOut] = Field(description="Each body's approval, newest first.")


class CourseCreditOut(Schema):
    body: str
    credits: Decimal_


class CourseOut(Schema):
    id: int
    body: str = Field(description="The body whose approval (and number) the course carries.")
    course_number: str
    title: str
    description: str
    format: str
    credits: Decimal_ = Field(description="In that body's own unit (ACE: CECs).")
    other_credits: list[CourseCreditOut] = Field(description="Credits for other bodies.")
    status: str = Field(description="draft, submitted, approved or returned; rosters are "
                                    "taken for approved courses only.")
    return_reason: str
    approved_from: date | None
    approved_until: date | None


class CoursePage(Schema):
    items: list[CourseOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null "
                                                "on the last page.")


class RosterRowIn(Schema):
    """A completion, as a row of the roster file: member ID and/or e-mail, name, completion
    date, CECs (when they differ from the course's), course number (optional, checked)."""

    member_id: Text = Field(None, examples=["ACE1001"], description="The course's body's "
                            "member ID; matched first.")
    email: Text = Field(None, examples=["alice@example.com"], description=(
        "Matched when the person has verified it (and no member ID names someone else)."))
    name: Text = Field(None, examples=["Alice Archer"])
    completed_on: IsoDate
    credits: Text = Field(None, examples=["0.8"], description="A decimal string; default the "
                                                              "course's credits.")
    course_number: Text = Field(None, description="If given, it must be the course's.")


class RosterIn(Schema):
    reference: str | None = Field(None, max_length=255, examples=["LMS batch 2026-11-30"],
                                  description="The roster's name on the provider's pages "
                                              "(default: posted through the API).")
    rows: list[RosterRowIn] = Field(min_length=1, max_length=5000)


class RosterRowOut(Schema):
    index: int = Field(description="The row's position in the roster, from 0 (for a roster "
                                   "posted here, its index in `rows`).")
    line: int = Field(description="The row's line: in an uploaded file, its spreadsheet row; "
                                  "posted here, index + 1.")
    member_id: str
    email: str
    name: str
    completed_on: date
    credits: Decimal_ | None
    state: str = Field(description="credited (matched: in the professional's log), held "
                                   "(no one or several people matched: for review), pending "
                                   "(still being matched) or withdrawn.")
    note: str = Field(description="Why it is held, or how it was credited, in words.")
    credit_entry_id: int | None = Field(description="The credit entry the row created or "
                                                    "joined in the professional's log.")


class RosterCountsOut(Schema):
    credited: int
    held: int
    pending: int
    withdrawn: int


class RosterSummaryOut(Schema):
    id: int
    course_id: int
    name: str = Field(description="The file's name, or the reference it was posted with.")
    uploaded_at: datetime
    status: str = Field(description="queued (being matched in the background) or done.")
    row_count: int
    counts: RosterCountsOut


class RosterOut(RosterSummaryOut):
    rows: list[RosterRowOut]


class RosterPage(Schema):
    items: list[RosterSummaryOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null "
                                                "on the last page.")


# --- credits -------------------------------------------------------------------------------

class DocumentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class CreditOut(Schema):
    id: int
    version: str = Field(description="The entry's version: send it back in If-Match to "
                                     "update (it is also the ETag).")
    earned_on: date
    reported_on: date
    title: str
    format: str
    amount: Decimal_
    unit: str
    credit_type: str
    organization: str = Field(description="The awarding organization as picked on the form: "
                                          "a body's code, a listed provider, or OTHER.")
    awarded_by: str
    provider: str
    course_number: str
    grade: str
    published_on: date | None
    petition: str
    source: str
    confirmed: str | None = Field(description="Who confirmed the facts (then only the title "
                                              "may change), or null.")
    deleted: bool
    documents: list[DocumentOut]


class CreditPage(Schema):
    items: list[CreditOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null "
                                                "on the last page.")


class DocumentIn(Schema):
    name: str = Field(max_length=255, examples=["certificate.pdf"])
    content_base64: str = Field(description="The file's bytes, base64-encoded. Larger files: "
                                            "POST /credits/{entry_id}/documents (multipart).")


class CreditIn(Schema):
    """The report form's fields. Required by the form: earned_on, format, amount,
    organization, title (and provider for OTHER, grade for college courses, published_on for
    self-tests, a document where the body's policy asks for one)."""

    earned_on: IsoDate
    format: Text = Field(None, examples=["course"])
    amount: Text = Field(None, examples=["1.5"], description="A decimal string, like 1.5.")
    unit: Text = Field(None, examples=["cec"], description="Default cec (as on the form).")
    credit_type: Text = Field(None, examples=["cec"], description="Default cec.")
    organization: Text = Field(None, examples=["ACSM"], description=(
        "The provider/organization list of the form: a body's code, a listed provider's "
        "name, or OTHER (then `provider` is required)."))
    provider: Text = Field(None, description="Who ran it, when not the organization itself.")
    course_number: Text = None
    title: Text = Field(None, examples=["Strength Summit"])
    grade: Text = None
    published_on: IsoDate
    documents: list[DocumentIn] = Field(default_factory=list, max_length=10)


class CreditBatchIn(Schema):
    credits: list[CreditIn] = Field(min_length=1, max_length=100)


class CreditBatchOut(Schema):
    items: list[CreditOut]


class PreviewIn(CreditIn):
    replaces: int | None = Field(None, ge=1, le=2**63 - 1, description=(
        "When editing: the id of the entry the draft would replace."))


class PreviewOut(Schema):
    draft_id: str = Field(description="The draft's id in `evaluation`'s credit lists.")
    evaluation: EvaluationOut


class HistoryOut(Schema):
    at: datetime
    action: str
    by: str = Field(description="you, the system, or the staff member's user name")
    changes: dict[str, list[str | int | bool | None]]
