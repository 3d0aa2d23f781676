"""The writes of the staff console's own records: a registry import's dry run and its
commit (issue 12). Each imported person is written through the core and accounts actions
(do_create_professional, do_set_member_id, do_create_certification,
do_correct_certification, do_update_names, do_issue_claim_link), so history has every
change; the import itself has its history rows too."""

from __future__ import annotations

import hashlib
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from recert.core.actions import history
from recert.core.models import (
    Certification,
    CertifyingBody,
    History,
    MemberId,
    Professional,
    Program,
)
from recert.staff import imports
from recert.staff.models import RegistryImport


def _digest(uploaded) -> str:
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


@transaction.atomic
def do_plan_import(body: CertifyingBody, uploaded, *, actor,
                   today: date | None = None) -> RegistryImport:
    """Reads the file (ImportRefused: nothing stored) and stores its dry run."""
    today = today or timezone.localdate()
    rows = imports.read_rows(uploaded, today)
    planned = imports.plan(body, rows)
    run = RegistryImport.objects.create(
        body=body, uploaded_by=actor if getattr(actor, "pk", None) else None,
        file_name=(uploaded.name or "registry")[-255:], sha256=_digest(uploaded),
        rows=planned, planned=imports.summary(planned))
    history.record(History.Action.CREATE, run, actor=actor, changes={
        "body": [None, body.code], "file": [None, run.file_name], "rows": [None, len(planned)],
        "sha256": [None, run.sha256], "dry_run": [None, run.planned]})
    return run


@transaction.atomic
def do_commit_import(run: RegistryImport, *, actor) -> RegistryImport:
    """Commits the dry run: here for a small file, for a large one by the background task
    (recert.tasks.commit_registry_import) with progress. Only a planned import commits;
    committing twice changes nothing."""
    run = RegistryImport.objects.select_for_update().get(pk=run.pk)
    if run.status != RegistryImport.PLANNED:
        return run
    run.committed_by = actor if getattr(actor, "pk", None) else None
    run.status = RegistryImport.QUEUED
    run.save(update_fields=["committed_by", "status"])
    if run.total > settings.IMPORT_INLINE_ROWS:
        from recert.tasks import commit_registry_import, enqueue_on_commit

        enqueue_on_commit(commit_registry_import, run.pk)
        return run
    return run_import(run.pk)


def run_import(run_id: int) -> RegistryImport:
    """The commit's work, in chunks of IMPORT_CHUNK_ROWS rows (one transaction each, the
    progress saved after each). Each row is planned again against the database as it is
    now, so a row already imported (a retried task, the same file again) changes nothing.
    Safe to run twice."""
    with transaction.atomic():
        run = RegistryImport.objects.select_for_update().get(pk=run_id)
        if run.status not in (RegistryImport.QUEUED, RegistryImport.RUNNING):
            return run
        run.status = RegistryImport.RUNNING
        run.started_at = run.started_at or timezone.now()
        run.save(update_fields=["status", "started_at"])
    body = run.body
    actor = run.committed_by
    result = dict(run.result) or dict.fromkeys(imports.ACTIONS, 0)
    size = settings.IMPORT_CHUNK_ROWS
    try:
        for start in range(run.processed, run.total, size):
            with transaction.atomic():
                stored = run.rows[start:start + size]
                chunk = [imports.Row(**{k: v for k, v in row.items() if k in ROW_FIELDS})
                         for row in stored]
                for row, dry, now in zip(chunk, stored, imports.plan(body, chunk),
                                         strict=True):
                    if dry["action"] == imports.REFUSED:
                        # Refused by the dry run (a duplicate member ID is seen in the whole
                        # file only): never imported.
                        now = dry
                    _commit_row(body, row, now, actor=actor, run=run)
                    result[now["action"]] += 1
                RegistryImport.objects.filter(pk=run.pk).update(
                    processed=start + len(chunk), result=result)
    except Exception as error:
        RegistryImport.objects.filter(pk=run.pk).update(
            status=RegistryImport.FAILED, error=str(error)[:2000], finished_at=timezone.now())
        raise
    with transaction.atomic():
        run = RegistryImport.objects.select_for_update().get(pk=run.pk)
        run.status = RegistryImport.DONE
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])
        history.record(History.Action.UPDATE, run, actor=actor, changes={
            "status": [RegistryImport.PLANNED, RegistryImport.DONE],
            "result": [None, run.result]})
    return run


ROW_FIELDS = ("line", "member_id", "given_names", "family_name", "email", "program",
              "certified_on", "cycle_end", "problems")


def _username(body: CertifyingBody, member_id: str) -> str:
    from django.contrib.auth import get_user_model

    base = f"{body.code.lower()}-{slugify(member_id) or 'member'}"[:140]
    User = get_user_model()
    name, n = base, 1
    while User.objects.filter(username=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def _reason(run: RegistryImport) -> str:
    return f"{run.body.code} registry import “{run.file_name}” of {run.created_at:%m/%d/%Y}"


def _commit_row(body: CertifyingBody, row, planned: dict, *, actor, run) -> None:
    from recert.accounts.actions import do_issue_claim_link
    from recert.core.actions.certifications import do_correct_certification, do_create_certification
    from recert.core.actions.professionals import (
        do_create_professional,
        do_set_member_id,
        do_update_names,
    )

    action = planned["action"]
    if action in (imports.REFUSED, imports.UNCHANGED):
        return
    program = Program.objects.select_related("body").get(body=body, code=planned["program"])
    number, start, end = planned["cycle"][0], date.fromisoformat(planned["cycle"][1]), \
        date.fromisoformat(planned["cycle"][2])
    certified_on = date.fromisoformat(row.certified_on)
    if action == imports.CREATE:
        person = do_create_professional(
            username=_username(body, row.member_id), email=row.email, password=None,
            full_name=imports.compose_name(row.given_names, row.family_name),
            given_names=row.given_names, family_name=row.family_name, actor=actor)
        do_set_member_id(person, body, row.member_id, actor=actor)
        do_create_certification(person, program, certified_on, actor=actor,
                                cycle=(start, end), cycle_number=number)
        if row.email:
            raw = do_issue_claim_link(person, actor=actor)
            _send_claim_link(person, raw, body, actor=actor)
        return
    person = Professional.objects.get(pk=planned["professional"])
    if not MemberId.objects.filter(professional=person, body=body).exists():
        do_set_member_id(person, body, row.member_id, actor=actor)
    if (row.given_names, row.family_name) != (person.given_names, person.family_name) and \
            imports.compose_name(row.given_names, row.family_name) != person.full_name:
        do_update_names(person, actor=actor, given_names=row.given_names,
                        family_name=row.family_name, date_of_birth=person.date_of_birth,
                        reason=_reason(run))
    certification = Certification.objects.filter(pk=planned.get("certification")).first()
    if certification is None:
        do_create_certification(person, program, certified_on, actor=actor,
                                cycle=(start, end), cycle_number=number)
        return
    current = imports.open_cycle(certification)
    if certification.certified_on != certified_on or current is None or current.end != end:
        do_correct_certification(certification, actor=actor, reason=_reason(run),
                                 certified_on=certified_on,
                                 cycle_start=start if current else None,
                                 cycle_end=end if current else None)


def _send_claim_link(person: Professional, raw: str, body: CertifyingBody, *, actor) -> None:
    from recert.core import mail

    link = mail.absolute(f"/accounts/claim/{person.user_id}/{raw}/")
    # The address is not verified yet: the claim link proves the mailbox (claiming
    # verifies it), so it goes to the address on file.
    mail.send_message("registry_claim", person.user, {
        "person": person, "body": body, "link": link,
        "days": settings.CLAIM_LINK_DAYS}, actor=actor, to=person.email)
