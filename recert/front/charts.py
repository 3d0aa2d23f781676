"""The dashboard's small chart: credits counted over the cycle against the straight pace line.

Only geometry: the counted amounts are the engine's, summed in date order for the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

WIDTH, HEIGHT = 300, 120


@dataclass(frozen=True)
class Chart:
    earned_points: str
    pace_points: str
    today_x: str | None
    required_y: str
    top: Decimal
    width: int = WIDTH
    height: int = HEIGHT


def _x(day: date, start: date, end: date) -> Decimal:
    span = max((end - start).days, 1)
    offset = min(max((day - start).days, 0), span)
    return Decimal(WIDTH) * offset / span


def _y(amount: Decimal, top: Decimal) -> Decimal:
    return Decimal(HEIGHT) - Decimal(HEIGHT) * amount / top


def _fmt(x: Decimal, y: Decimal) -> str:
    return f"{x.quantize(Decimal('0.1'))},{y.quantize(Decimal('0.1'))}"


def progress_chart(result, earned_on: dict[str, date], as_of: date) -> Chart:
    """`result` is a CertificationResult; `earned_on` maps credit ids to their dates."""
    start, end = result.cycle.start, result.cycle.end
    counted = sorted(
        (earned_on[c.id], c.counted) for c in result.credits
        if c.counted and c.id in earned_on and start <= earned_on[c.id] <= end
    )
    top = max(result.required, result.earned, Decimal(1))
    points = [_fmt(Decimal(0), _y(Decimal(0), top))]
    total = Decimal(0)
    for day, amount in counted:
        x = _x(day, start, end)
        points.append(_fmt(x, _y(total, top)))
        total += amount
        points.append(_fmt(x, _y(total, top)))
    last = min(as_of, end)
    points.append(_fmt(_x(last, start, end), _y(total, top)))
    pace = f"{_fmt(Decimal(0), Decimal(HEIGHT))} {_fmt(Decimal(WIDTH), _y(result.required, top))}"
    today_x = str(_x(as_of, start, end).quantize(Decimal("0.1"))) if start <= as_of <= end \
        else None
    return Chart(" ".join(points), pace, today_x,
                 str(_y(result.required, top).quantize(Decimal("0.1"))), top)
