"""Sign up, log out, password change and reset by e-mail; Argon2 hashing."""

from __future__ import annotations

import re

from django.core import mail
from django.urls import reverse

from recert.core.models import History, Professional


def test_signup_creates_user_and_professional(client, db, password):
    response = client.post(reverse("signup"), {
        "username": "dora", "email": "Dora@Example.com", "full_name": "Dora Diaz",
        "password1": password, "password2": password,
    })
    assert response.status_code == 302 and response.url == reverse("signup_sent")
    professional = Professional.objects.get(user__username="dora")
    assert professional.full_name == "Dora Diaz"
    assert professional.user.email == "dora@example.com"
    assert professional.user.password.startswith("argon2")
    assert client.post(reverse("login"), {"username": "dora",
                                          "password": password}).status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_logout_is_a_post(client, alice):
    client.force_login(alice.user)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change(client, alice, password):
    client.force_login(alice.user)
    new = password + "-new"
    response = client.post(reverse("password_change"), {
        "old_password": alice.user.raw_password, "new_password1": new, "new_password2": new,
    })
    assert response.status_code == 302
    alice.user.refresh_from_db()
    assert alice.user.check_password(new)


def test_password_reset_by_email(client, alice, password, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "alice@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    # Through the one sending layer: text and HTML, and a row in alice's history.
    assert mail.outbox[0].subject == "Reset your Recert password"
    assert "Choose a new password" in mail.outbox[0].alternatives[0][0]
    assert History.objects.filter(professional=alice, changes__kind=[None, "password_reset"]
                                  ).exists()
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    new = password + "-reset"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    alice.user.refresh_from_db()
    assert alice.user.check_password(new)


def test_login_page_uses_standard_fields(client, db):
    body = client.get(reverse("login")).content.decode()
    assert 'name="username"' in body and 'name="password"' in body
