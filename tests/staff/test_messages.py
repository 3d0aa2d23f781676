"""Staff preview every kind of e-mail as a chosen professional would receive it today
(issue 17): nothing is sent or recorded; staff of another body, professionals and anonymous
visitors cannot; the HTML part is served alone under a sandboxing policy."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core import mail as outbox
from django.test import Client
from django.urls import reverse

from recert.core import mail
from recert.core.models import History
from tests.staff.people import *  # noqa: F403


@time_machine.travel(date(2026, 10, 5), tick=False)
def test_viewer_previews_every_kind_for_their_professional(alice, alice_cpt, acsm_viewer):
    client = Client()
    client.force_login(acsm_viewer)
    history = History.objects.count()
    page = client.get(reverse("staff:messages", args=[alice.pk]))
    assert page.status_code == 200
    kinds = mail.preview_kinds()
    assert len(kinds) >= 5
    for kind in kinds:
        assert reverse("staff:message", args=[alice.pk, kind]).encode() in page.content
        response = client.get(reverse("staff:message", args=[alice.pk, kind]))
        assert response.status_code == 200, kind
        message = response.context["message"]
        if message is None:
            assert b"nothing to say" in response.content
            continue
        assert message.to == "alice@example.com"
        assert message.subject.encode() in response.content.replace(b"&#x27;", b"'")
        html = client.get(reverse("staff:message_html", args=[alice.pk, kind]))
        assert html.status_code == 200 and html["Content-Type"].startswith("text/html")
        policy = html["Content-Security-Policy"]
        assert "sandbox" in policy and "script-src" not in policy
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert not outbox.outbox, "a preview sends nothing"
    assert History.objects.count() == history, "a preview records nothing"


def test_the_professional_page_links_to_the_previews(alice, alice_cpt, acsm_viewer):
    client = Client()
    client.force_login(acsm_viewer)
    page = client.get(reverse("staff:professional", args=[alice.pk]))
    assert reverse("staff:messages", args=[alice.pk]).encode() in page.content


def test_an_unknown_kind_is_a_404(alice, alice_cpt, acsm_viewer):
    client = Client()
    client.force_login(acsm_viewer)
    assert client.get(reverse("staff:message", args=[alice.pk, "nope"])).status_code == 404
    assert client.get(reverse("staff:message_html", args=[alice.pk, "nope"])).status_code \
        == 404


@pytest.mark.parametrize("name", ["staff:messages", "staff:message", "staff:message_html"])
def test_outsiders_are_refused(alice, alice_cpt, ace_registrar, bob, name):
    kind = mail.preview_kinds()[0]
    args = [alice.pk] if name == "staff:messages" else [alice.pk, kind]
    url = reverse(name, args=args)
    other_body = Client()
    other_body.force_login(ace_registrar)
    assert other_body.get(url).status_code == 404
    professional = Client()
    professional.force_login(bob.user)
    assert professional.get(url).status_code == 403
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and reverse("login") in anonymous["Location"]
