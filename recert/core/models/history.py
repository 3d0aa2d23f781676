"""The append-only history of changes: who, when, what (a closed list), old and new values."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class HistoryIsAppendOnly(Exception):
    pass


def object_type_of(instance_or_model) -> str:
    """The type name stored in History.object_type: the concrete model's name, so that a
    proxy (the admin's CertificationLifecycle) records and finds the same rows."""
    return instance_or_model._meta.concrete_model._meta.model_name


class HistoryQuerySet(models.QuerySet):
    def of(self, instance: models.Model) -> HistoryQuerySet:
        """The rows about one object (any model), oldest first."""
        return self.filter(object_type=object_type_of(instance), object_id=instance.pk)

    def of_type(self, model) -> HistoryQuerySet:
        """The rows about objects of one model (a class or an instance)."""
        return self.filter(object_type=object_type_of(model))

    def update(self, **kwargs):
        raise HistoryIsAppendOnly("History rows cannot be changed.")

    def delete(self):
        raise HistoryIsAppendOnly("History rows cannot be deleted.")


class History(models.Model):
    class Action(models.TextChoices):
        """Every kind of change recorded; an action writes only one of these (the list is
        closed so that reports and filters can rely on it; add a member for a new kind)."""

        CREATE = "create", "created"
        UPDATE = "update", "changed"
        DELETE = "delete", "deleted"
        RESTORE = "restore", "restored"
        ATTACH_DOCUMENT = "attach_document", "document attached"
        ISSUE_CLAIM_LINK = "issue_claim_link", "claim link issued"
        CLAIM_ACCOUNT = "claim_account", "account claimed"
        REGENERATE = "regenerate", "secret regenerated"
        VOID = "void", "invoice voided"
        CANCEL = "cancel", "renewal cancelled"
        ADD_LATE_FEE = "add_late_fee", "late fee added"
        RECORD_PAYMENT = "record_payment", "payment recorded"
        COMPLETE = "complete", "renewal completed"
        # A cycle closed and the next opened, by the reason it closed (Cycle.CLOSED_REASONS).
        RENEWED = "renewed", "renewed"
        EXAM = "exam", "renewed by exam"
        RECORD_EXAM_PASS = "record_exam_pass", "passed exam recorded"
        REINSTATE = "reinstate", "reinstated"
        STATUS_CHANGE = "status_change", "status changed"
        SEND_REMINDER = "send_reminder", "reminder sent"
        # Issue 10: staff corrections, per-body decisions, documents kept for an audit.
        CORRECT = "correct", "corrected by staff"
        DECIDE = "decide", "reviewed"
        REMOVE_DOCUMENT = "remove_document", "document removed"
        SET_CPR_AED = "set_cpr_aed", "CPR/AED updated"
        # Issue 17: every e-mail, sent or not (kind, to, subject; or why it was not sent).
        SEND_EMAIL = "send_email", "e-mail sent"
        SKIP_EMAIL = "skip_email", "e-mail not sent"
        # Issue 11: online checkout, money held for staff, the professional's own data.
        START_CHECKOUT = "start_checkout", "online checkout started"
        RECORD_PAYMENT_ISSUE = "record_payment_issue", "payment held for staff"
        EXPORT_DATA = "export_data", "data downloaded"
        CLOSE_ACCOUNT = "close_account", "account closed"
        # Issue 12: a duplicate profile merged into another, and the merge undone.
        MERGE_PROFILES = "merge_profiles", "duplicate profile merged"
        UNDO_MERGE = "undo_merge", "merge undone"
        # Issue 11: log-in lock-outs (django-axes), and staff or a password reset lifting one.
        LOCK_OUT = "lock_out", "log-in locked out"
        LIFT_LOCKOUT = "lift_lockout", "log-in lock-out lifted"
        VERIFY_EMAIL = "verify_email", "e-mail address verified"
        ENROL_SECOND_FACTOR = "enrol_second_factor", "second factor set up"
        # Issue 14: providers, their courses, rosters and petitions.
        INVITE = "invite", "invited"
        SUBMIT = "submit", "submitted for approval"
        APPROVE = "approve", "approved"
        SEND_BACK = "send_back", "sent back"
        REPORT_COMPLETION = "report_completion", "completion reported"
        WITHDRAW = "withdraw", "withdrawn"
        FILE_PETITION = "file_petition", "petition filed"
        ASK_MORE_INFORMATION = "ask_more_information", "more information asked"
        ANSWER = "answer", "answered"
        PROMOTE = "promote", "promoted into the catalog"
        # Issue 13: the yearly audit.
        START_AUDIT = "start_audit", "audit started"
        SELECT_FOR_AUDIT = "select_for_audit", "selected for audit"
        SUBMIT_AUDIT = "submit_audit", "audit proof submitted"
        CLAIM_AUDIT = "claim_audit", "audit case claimed"
        REVIEW_AUDIT = "review_audit", "audit credit reviewed"
        APPEAL_AUDIT = "appeal_audit", "audit rejection appealed"
        DECIDE_APPEAL = "decide_appeal", "audit appeal decided"
        AUDIT_OUTCOME = "audit_outcome", "audit outcome"

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                              null=True, blank=True, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=40, choices=Action.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField()
    professional = models.ForeignKey("core.Professional", on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="history")
    # {field: [old, new]} with values as JSON-safe strings.
    changes = models.JSONField(default=dict, blank=True)

    objects = HistoryQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "history"
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type} #{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise HistoryIsAppendOnly("History rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise HistoryIsAppendOnly("History rows cannot be deleted.")
