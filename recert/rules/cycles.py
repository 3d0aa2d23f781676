"""Reporting cycles and the dates that hang off them (renewal window, grace end).

The cycle *shape* is policy data (`cycle` parameter); this module only knows how to walk
the shapes the policies name: ``calendar_years`` (ACSM-CYCLE-1) and
``months_to_month_end`` (ACE-REQ-1).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from .model import Cycle
from .policy import BodyPolicy


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the end of a shorter month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def first_cycle(body: BodyPolicy, certified_on: date) -> Cycle:
    rule = body.param("cycle", certified_on)
    if rule.kind == "calendar_years":
        return Cycle(certified_on, date(certified_on.year + rule.first_cycle_years, 12, 31))
    shifted = add_months(date(certified_on.year, certified_on.month, 1), rule.months)
    return Cycle(certified_on, month_end(shifted.year, shifted.month))


def next_cycle(body: BodyPolicy, certified_on: date, cycle: Cycle) -> Cycle:
    """The cycle after `cycle`, on the original schedule (a late renewal does not shift it)."""
    rule = body.param("cycle", certified_on)
    start = cycle.end + timedelta(days=1)
    if rule.kind == "calendar_years":
        return Cycle(start, date(start.year + rule.renewal_cycle_years - 1, 12, 31))
    shifted = add_months(date(cycle.end.year, cycle.end.month, 1), rule.months)
    return Cycle(start, month_end(shifted.year, shifted.month))


def cycle_containing(body: BodyPolicy, certified_on: date, day: date) -> Cycle:
    """The cycle holding `day`, as if every earlier cycle was renewed on time.

    A day before certification falls in the first cycle (nothing earlier exists).
    """
    cycle = first_cycle(body, certified_on)
    while day > cycle.end:
        cycle = next_cycle(body, certified_on, cycle)
    return cycle


def window_opens(body: BodyPolicy, cycle: Cycle) -> date:
    """First day "Renew now" may be offered (ACSM: final calendar year; ACE: cycle start)."""
    months = body.param("renewal_window", cycle.start).opens_months_before_end
    if months is None:
        return cycle.start
    return max(cycle.start, add_months(cycle.end + timedelta(days=1), -months))


def grace_ends(body: BodyPolicy, cycle: Cycle) -> date:
    """Last day of the grace period; the cycle end itself when there is no grace."""
    months = body.param("grace", cycle.end).months
    return add_months(cycle.end + timedelta(days=1), months) - timedelta(days=1)
