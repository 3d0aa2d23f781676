"""Who matches a member ID and a family name, and where their certifications at that body
stand today (the engine, through recert.core.evaluation)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from recert.core.evaluation import standing_of
from recert.core.models import MemberId
from recert.rules import model as rules_model
from recert.verify.actions import is_listed

# The public words for the engine's statuses: in grace a certification is inactive.
PUBLIC_STATUS = {rules_model.ACTIVE: "active", rules_model.RENEWAL_OPEN: "active",
                 rules_model.GRACE: "inactive", rules_model.INVALID: "invalid"}


@dataclass(frozen=True)
class Found:
    program: str
    status: str
    valid_until: date


def words(text: str) -> list[str]:
    """Lower-case words without accents or punctuation: "O'Brien-Núñez" → ["obrien",
    "nunez"] (hyphens and spaces split, apostrophes join)."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("'", "").replace("’", "")
    cleaned = "".join(c if c.isalnum() else " " for c in text)
    return cleaned.split()


def family_matches(full_name: str, family_name: str) -> bool:
    """The typed family name is the end of the full name ("Berg", "van der Berg")."""
    typed, full = words(family_name), words(full_name)
    return bool(typed) and len(typed) < len(full) + 1 and full[-len(typed):] == typed


def lookup(member_id: str, family_name: str, today: date) -> list[Found]:
    """The certifications of the listed professional whose member ID (at some body) and
    family name match, at that body; empty for no match, a wrong name or an opt-out alike."""
    found: list[Found] = []
    rows = (MemberId.objects.select_related("professional", "body")
            .filter(member_id__iexact=member_id.strip()))
    for row in rows:
        professional = row.professional
        if not family_matches(professional.full_name, family_name):
            continue
        if not is_listed(professional):
            continue
        for certification, result in standing_of(professional, today).rows():
            if result is None or certification.program.body_id != row.body_id:
                continue
            found.append(Found(f"{row.body.code} {certification.program.name}",
                               PUBLIC_STATUS.get(result.status, "invalid"), result.cycle.end))
    return found
