"""Template filters that show the engine's values the way a professional reads them."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def decimal(value) -> str:
    """A Decimal without float noise or trailing zeros: 15, 38.5, 1.2."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    text = format(value.normalize(), "f")
    return text


@register.filter
def money(value) -> str:
    if value is None or value == "":
        return ""
    return f"${Decimal(value).quantize(Decimal('0.01'))}"


@register.filter
def words(value) -> str:
    """`short_of_required` → `short of required`."""
    return str(value).replace("_", " ")
