"""{% link "viewname" arg ... %}: a page's absolute address (SITE_URL + path), for e-mail."""

from __future__ import annotations

from django import template

from recert.core import mail

register = template.Library()


@register.simple_tag
def link(viewname: str, *args, **kwargs) -> str:
    return mail.link(viewname, *args, **kwargs)
