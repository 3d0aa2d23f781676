"""Every deadline of a record, from the engine and the policies, and as an iCalendar feed.

The dates come from the engine's result (cycle end, renewal window, grace end, and the last
day a self-test issue earns each body's credit) and the certification rows (CPR/AED valid
until). No rule is recomputed and no policy is read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from icalendar import Calendar, Event

from recert.core.evaluation import Standing
from recert.exports.transcript import certification_name

PRODID = "-//Recert//Deadlines//EN"
UID_DOMAIN = "recert.deadlines"


@dataclass(frozen=True)
class Deadline:
    uid: str
    day: date
    summary: str
    description: str
    kind: str  # cycle_end, window_opens, grace_ends, cpr_aed, self_test


def deadlines_of(standing: Standing) -> list[Deadline]:
    found: list[Deadline] = []
    cpr: dict[date, list[str]] = {}
    # {credit id: {last day it earns credit: [body codes]}} (ACSM-SELFTEST-1).
    expiries: dict[str, dict[date, list[str]]] = {}
    for certification, result in standing.rows():
        name = certification_name(certification)
        key = f"cert{certification.pk}"
        if result is not None:
            for credit in result.credits:
                if credit.expires_on is not None:
                    bodies = expiries.setdefault(credit.id, {}).setdefault(credit.expires_on, [])
                    if result.body not in bodies:
                        bodies.append(result.body)
            cycle, renewal = result.cycle, result.renewal
            found.append(Deadline(
                f"{key}-cycle-end-{cycle.end.isoformat()}@{UID_DOMAIN}", cycle.end,
                f"{name}: cycle ends",
                f"Last day of the cycle {cycle.start.isoformat()} to {cycle.end.isoformat()}. "
                f"Credits earned count only inside the cycle.", "cycle_end"))
            found.append(Deadline(
                f"{key}-window-opens-{cycle.end.isoformat()}@{UID_DOMAIN}", renewal.window_opens,
                f"{name}: renewal window opens",
                f"From this day you can renew, once the credits are complete "
                f"(cycle ends {cycle.end.isoformat()}).", "window_opens"))
            if renewal.grace_ends > cycle.end:
                found.append(Deadline(
                    f"{key}-grace-ends-{cycle.end.isoformat()}@{UID_DOMAIN}", renewal.grace_ends,
                    f"{name}: grace period ends",
                    f"Last day to renew late (a late fee applies) for the cycle that ended "
                    f"{cycle.end.isoformat()}.", "grace_ends"))
        if certification.cpr_aed_valid_until:
            cpr.setdefault(certification.cpr_aed_valid_until, []).append(name)
    professional_key = f"p{standing.certifications[0].professional_id}" if (
        standing.certifications) else "p"
    for day, names in sorted(cpr.items()):
        found.append(Deadline(
            f"{professional_key}-cpr-aed-{day.isoformat()}@{UID_DOMAIN}", day,
            "CPR/AED certification expires",
            f"Last valid day of your CPR/AED card, required for: {', '.join(names)}.", "cpr_aed"))
    for entry in standing.credits:
        by_day = expiries.get(str(entry.pk), {})
        for expiry, bodies in sorted(by_day.items()):
            suffix = "" if len(by_day) == 1 else "-" + "-".join(bodies).lower()
            found.append(Deadline(
                f"credit{entry.pk}-self-test-expires{suffix}@{UID_DOMAIN}", expiry,
                f"Self-test expires: {entry.title}",
                f"Last day this issue (published {entry.published_on.isoformat()}) can earn "
                f"{' or '.join(bodies)} credit.", "self_test"))
    found.sort(key=lambda d: (d.day, d.summary))
    return found


def calendar_ics(deadlines: list[Deadline], *, name: str, stamp: datetime) -> bytes:
    """All-day events with stable UIDs, so a subscribed calendar updates rather than duplicates."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"Recert deadlines: {name}")
    cal.add("x-published-ttl", "PT12H")
    for deadline in deadlines:
        event = Event()
        event.add("uid", deadline.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", deadline.day)
        event.add("dtend", deadline.day + timedelta(days=1))
        event.add("summary", deadline.summary)
        event.add("description", deadline.description)
        event.add("categories", [deadline.kind.replace("_", "-")])
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
