"""A professional (the person behind a user account), their names and member ids at each
body."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from django.conf import settings
from django.db import models


def compose_name(given_names: str, family_name: str) -> str:
    """The display name: given names, then the family name."""
    return " ".join(part for part in (given_names.strip(), family_name.strip()) if part)


def split_name(full_name: str) -> tuple[str, str]:
    """(given names, family name) of a single-string name: the last word is the family
    name. A guess for names recorded as one string (sign-up, older rows); staff correct
    it from the console where it is wrong ("Mary Ann van der Berg")."""
    words = full_name.split()
    if not words:
        return "", ""
    return " ".join(words[:-1]), words[-1]


# The name parts; which name fields code changed since the row was loaded or saved is
# tracked per instance (see Professional.save()).
_NAME_PARTS = ("family_name", "given_names")


class Professional(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="professional")
    # The name as shown everywhere, kept in step with the parts on save: given names, then
    # the family name. Code that sets only `full_name` (sign-up, the contact form, older
    # callers) gets the parts split from it; code that sets the parts gets it composed.
    full_name = models.CharField(max_length=201)
    family_name = models.CharField("family name", max_length=100, blank=True)
    given_names = models.CharField("given names", max_length=100, blank=True)
    date_of_birth = models.DateField("date of birth", null=True, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address_line1 = models.CharField("address line 1", max_length=200, blank=True)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField("state / region", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=100, blank=True)
    # Optional reminders (the spring renewal notice, the 90-day one); notices with a
    # deadline that has consequences always go (recert.core.mail).
    optional_reminders = models.BooleanField(
        "optional reminders", default=True,
        help_text="The spring renewal notice and the reminder 90 days before a cycle ends.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Changes whenever anything the engine reads about this person changes (credits, their
    # decisions and documents, certifications, cycles, CPR/AED, renewals' claims): the
    # cached evaluation is keyed by it (recert.core.evaluation, recert.core.signals). Only
    # `bump_evaluation_version` writes it, never save().
    evaluation_version = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["full_name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.__dict__["_names_assigned"] = set()

    def __setattr__(self, name, value):
        # A name field given a different value (full_clean sets every field again with
        # the same value, which changes nothing).
        assigned = self.__dict__.get("_names_assigned")
        if (assigned is not None and name in ("full_name", *_NAME_PARTS)
                and self.__dict__.get(name) != value):
            assigned.add(name)
        super().__setattr__(name, value)

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.sync_names()
        # A save of an instance loaded before a change must not write its old version back
        # (the version would go back and an old cached evaluation would show again).
        if (not self._state.adding and kwargs.get("update_fields") is None
                and not kwargs.get("force_insert")):
            kwargs["update_fields"] = [f.name for f in self._meta.concrete_fields
                                       if not f.primary_key and f.name != "evaluation_version"]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & {"full_name", *_NAME_PARTS}:
            kwargs["update_fields"] = {*update_fields, "full_name", *_NAME_PARTS}
        super().save(*args, **kwargs)
        self.__dict__["_names_assigned"] = set()

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self.__dict__["_names_assigned"] = set()

    @property
    def display_name(self) -> str:
        """The name pages, forms and exports show."""
        return self.full_name

    def sync_names(self) -> None:
        """Keeps `full_name` and the parts in step: parts assigned (or given to a new row)
        → the display name is composed from them; only `full_name` assigned (and different
        from the parts) → the parts are split from it; a row with only one of them fills
        the other."""
        assigned = self.__dict__.get("_names_assigned") or set()
        family, given = self.__dict__.get("family_name"), self.__dict__.get("given_names")
        full = self.__dict__.get("full_name")
        if family is None or given is None or full is None:
            return  # deferred fields: nothing to keep in step
        parts_set = bool(family.strip() or given.strip())
        if (assigned & set(_NAME_PARTS) or self._state.adding) and parts_set:
            self.full_name = compose_name(given, family)
        elif full.strip() and (not parts_set or ("full_name" in assigned
                                                 and full != compose_name(given, family))):
            self.given_names, self.family_name = split_name(full)
            self.full_name = compose_name(self.given_names, self.family_name)
        elif parts_set and not full.strip():
            self.full_name = compose_name(given, family)

    def name_on(self, day: date) -> str:
        """The name the person had on `day` (audit proof from then shows it): the previous
        name in use until the first change on or after `day`, or today's name. Uses
        prefetched `previous_names` when present."""
        earlier = [p for p in self.previous_names.all() if p.used_until >= day]
        if not earlier:
            return self.display_name
        return min(earlier, key=lambda p: (p.used_until, p.pk)).full_name


class PreviousName(models.Model):
    """A name the professional had before, and the last day it was in use (recorded by
    staff when the name changes: marriage, a legal change). Certificates and audit proof
    from before that day carry it."""

    professional = models.ForeignKey(Professional, on_delete=models.CASCADE,
                                     related_name="previous_names")
    family_name = models.CharField("family name", max_length=100, blank=True)
    given_names = models.CharField("given names", max_length=100, blank=True)
    full_name = models.CharField(max_length=201)
    used_until = models.DateField("in use until")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-used_until", "-id"]

    def __str__(self) -> str:
        return f"{self.full_name} (until {self.used_until})"

    def save(self, *args, **kwargs):
        self.full_name = compose_name(self.given_names, self.family_name)
        super().save(*args, **kwargs)


class MemberId(models.Model):
    professional = models.ForeignKey(Professional, on_delete=models.CASCADE,
                                     related_name="member_ids")
    body = models.ForeignKey("core.CertifyingBody", on_delete=models.PROTECT, related_name="+")
    member_id = models.CharField("member id", max_length=40)

    class Meta:
        ordering = ["body__code"]
        verbose_name = "member id"
        constraints = [
            models.UniqueConstraint(fields=["body", "member_id"], name="member_id_unique_per_body"),
            models.UniqueConstraint(fields=["professional", "body"],
                                    name="one_member_id_per_body"),
        ]

    def __str__(self) -> str:
        return f"{self.body.code} {self.member_id}"


def cpr_card_path(instance: CprAed, filename: str) -> str:
    # Random name, suffix from the checked content (like documents): the user's file name
    # never decides what the stored file looks like.
    from recert.core.models.credits import SUFFIXES

    suffix = SUFFIXES.get(instance.card_content_type, "")
    return f"cpr/{instance.professional_id}/{uuid4().hex}{suffix}"


class CprAed(models.Model):
    """The person's CPR/AED certification: one record (provider, expiry, card) that every
    certification of theirs and the renewal form use. It is a fact about the person, not
    about each certification (issue 10)."""

    professional = models.OneToOneField(Professional, on_delete=models.CASCADE,
                                        related_name="cpr_aed")
    provider = models.CharField(max_length=200, blank=True)
    valid_until = models.DateField("valid until", null=True, blank=True)
    card = models.FileField(upload_to=cpr_card_path, max_length=300, blank=True)
    card_name = models.CharField(max_length=255, blank=True)
    card_content_type = models.CharField(max_length=100, blank=True)
    card_sha256 = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "CPR/AED certification"

    def __str__(self) -> str:
        return f"CPR/AED of {self.professional_id} until {self.valid_until or '—'}"
