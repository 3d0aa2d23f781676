"""Provider and staff tokens (issue 15): who may create them (a member, with the second
factor), who sees and revokes them, and that they stop with their user's standing. The
routes that use them are tested in test_providers.py and test_staff.py."""

import pytest
from django.test import Client

from recert.api.auth import Principal
from recert.api.models import AccessToken
from recert.api.problems import ApiProblem
from recert.core.models import Provider, ProviderMembership, StaffMembership
from tests.api.conftest import ApiClient, make_token
from tests.staff.people import make_staff


@pytest.fixture
def fit_ed(db):
    return Provider.objects.create(name="Fit Ed")


@pytest.fixture
def pat(fit_ed, django_user_model):
    user = django_user_model.objects.create_user("pat", "pat@example.com", "x")
    ProviderMembership.objects.create(user=user, provider=fit_ed)
    return user


@pytest.fixture
def quinn(fit_ed, django_user_model):
    """Pat's colleague at Fit Ed."""
    user = django_user_model.objects.create_user("quinn", "quinn@example.com", "x")
    ProviderMembership.objects.create(user=user, provider=fit_ed)
    return user


def _create(client, **data):
    return client.post("/settings/", {"scope": "write", **data}).content.decode()


def test_a_provider_member_creates_a_token_for_the_provider(pat, fit_ed):
    client = Client()
    client.force_login(pat)
    page = client.get("/settings/").content.decode()
    assert "The provider Fit Ed" in page and "My staff work" not in page
    page = _create(client, name="LMS", kind=f"provider-{fit_ed.pk}")
    token = AccessToken.objects.get(user=pat)
    assert (token.kind, token.provider) == ("provider", fit_ed)
    raw = page.split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    # It acts for the organization, not as a person: the personal routes refuse it.
    response = ApiClient(raw).get("/credits")
    assert response.status_code == 403 and "provider token" in response.json()["detail"]


def test_provider_and_staff_tokens_need_the_second_factor(pat, fit_ed):
    client = Client()
    client.force_login(pat, second_factor=False)
    page = _create(client, name="LMS", kind=f"provider-{fit_ed.pk}")
    assert "need your authenticator code" in page
    assert not AccessToken.objects.exists()


def test_nobody_creates_a_token_for_a_provider_they_do_not_belong_to(alice, fit_ed):
    client = Client()
    client.force_login(alice.user)
    page = client.get("/settings/").content.decode()
    assert "Acts for" not in page  # a professional only has personal tokens: no choice
    page = _create(client, name="x", kind=f"provider-{fit_ed.pk}")
    assert "Choose one of the listed choices." in page
    page = _create(client, name="x", kind="staff")
    assert "Choose one of the listed choices." in page
    assert not AccessToken.objects.exists()


def test_a_colleague_sees_and_revokes_the_providers_token(pat, quinn, fit_ed, alice):
    token, raw = make_token(pat, kind="provider", provider=fit_ed, name="LMS")
    colleague = Client()
    colleague.force_login(quinn)
    assert "created by pat" in colleague.get("/settings/").content.decode()
    outsider = Client()
    outsider.force_login(alice.user)
    assert outsider.post(f"/settings/tokens/{token.pk}/revoke/").status_code == 404
    assert colleague.post(f"/settings/tokens/{token.pk}/revoke/").status_code == 302
    assert ApiClient(raw).get("/me").status_code == 401


def test_a_provider_token_stops_when_its_creator_leaves(pat, fit_ed):
    token, raw = make_token(pat, kind="provider", provider=fit_ed)
    ProviderMembership.objects.filter(user=pat).delete()
    response = ApiClient(raw).get("/me")
    assert response.status_code == 401
    assert "no longer a member" in response.json()["detail"]


def test_a_staff_token_stops_with_the_staff_roles(programs, django_user_model):
    reg = make_staff("reg", [("ACSM", "registrar")])
    client = Client()
    client.force_login(reg)
    assert "My staff work" in client.get("/settings/").content.decode()
    page = _create(client, name="CRM", kind="staff")
    raw = page.split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    assert AccessToken.objects.get(user=reg).kind == "staff"
    assert ApiClient(raw).get("/credits").status_code == 403  # not a person's token
    StaffMembership.objects.filter(user=reg).delete()
    assert ApiClient(raw).get("/me").status_code == 401


def test_the_principal_says_whom_each_kind_acts_for(alice, pat, quinn, fit_ed, programs):
    other = Provider.objects.create(name="Other Org")
    reg = make_staff("reg", [("ACSM", "registrar")])
    provider_token, _ = make_token(pat, kind="provider", provider=fit_ed)
    staff_token, _ = make_token(reg, kind="staff")
    personal_token, _ = make_token(alice)

    as_provider = Principal(pat, provider_token)
    assert as_provider.provider_for(fit_ed.pk) == fit_ed
    with pytest.raises(ApiProblem) as refused:
        as_provider.provider_for(other.pk)
    assert refused.value.status == 404
    with pytest.raises(ApiProblem) as refused:
        as_provider.staff_actor()
    assert refused.value.status == 403

    assert Principal(reg, staff_token).staff_actor() == reg
    for principal in (Principal(alice.user, personal_token), Principal(reg, staff_token)):
        with pytest.raises(ApiProblem) as refused:
            principal.provider_for(fit_ed.pk)
        assert refused.value.status == 403

    # A signed-in page's script: its memberships, once the second factor is passed.
    assert Principal(quinn, second_factor=True).provider_for(fit_ed.pk) == fit_ed
    for call in (lambda: Principal(quinn).provider_for(fit_ed.pk),
                 lambda: Principal(reg).staff_actor()):
        with pytest.raises(ApiProblem) as refused:
            call()
        assert refused.value.status == 403
    assert Principal(reg, second_factor=True).staff_actor() == reg
