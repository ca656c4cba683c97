"""Staff log in through the municipality's OpenID Connect provider (a test provider on
127.0.0.1): the round trip, the groups' roles, refusals, the login page in each mode, logout."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import authenticate, get_user_model
from django.test import RequestFactory, override_settings

from organisation.models import Membership, Role, StaffFlag
from organisation.roles import roles_of
from sso.models import Identity, SyncedMembership
from tests.factories import UserFactory
from tests.sso.conftest import sign_in, staff, use_auth
from tests.sso.provider import new_key

User = get_user_model()
NO_ROLE = "Ditt konto har ingen roll i Brygga"
FAILED = "Inloggningen misslyckades"
BUTTON = "Logga in med kommunens konto"


def roles(user) -> set[tuple[str, str]]:
    return {
        (m.unit.name, m.role) for m in Membership.objects.filter(user=user).select_related("unit")
    }


def logged_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


# --- the round trip -------------------------------------------------------------------------


def test_first_login_creates_the_user_with_the_roles_their_groups_give(
    client, oidc, mappings, person
):
    claims = staff(groups=["brygga-handlaggare", "brygga-team-norr", "alla-anstallda"])
    response = sign_in(client, oidc, claims)

    assert response.status_code == 200
    assert response.redirect_chain[-1] == ("/", 302)
    user = logged_in_user(client)
    assert user.username == "anna.handlaggare"
    assert (user.first_name, user.last_name) == ("Anna", "Handläggare")
    assert not user.has_usable_password()
    assert Identity.objects.get(user=user).subject == "a1b2c3"
    assert Identity.objects.get(user=user).issuer == oidc.issuer
    assert roles(user) == {("Myndigheten", Role.OFFICER), ("Team Norr", Role.COORDINATOR)}
    assert roles_of(user).names == [Role.OFFICER, Role.COORDINATOR]
    # The officer's start page lists the authority unit's open case.
    assert f'href="/personer/{person.pk}/"' in response.content.decode()
    # The provider was asked for a token with PKCE and for the userinfo, and its keys.
    assert {"/realms/kommun/token", "/realms/kommun/userinfo", "/realms/kommun/jwks"} <= set(
        oidc.requests
    )


def test_the_login_returns_to_the_page_asked_for(client, oidc, mappings):
    response = sign_in(client, oidc, staff(), next_url="/personer/")
    assert response.redirect_chain[-1] == ("/personer/", 302)
    assert response.status_code == 200


def test_a_second_login_brings_the_memberships_in_line_with_the_groups(client, oidc, mappings, org):
    sign_in(client, oidc, staff(groups=["brygga-handlaggare"]))
    user = logged_in_user(client)
    # The administrator gives a role by hand; the provider's groups never take it away.
    Membership.objects.create(user=user, unit=org["south"], role=Role.COORDINATOR)
    client.logout()

    response = sign_in(client, oidc, staff(groups=["brygga-team-norr", "brygga-chef"]))

    assert response.status_code == 200
    assert logged_in_user(client) == user
    assert roles(user) == {
        ("Team Norr", Role.COORDINATOR),
        ("Myndigheten", Role.MANAGER),
        ("Utföraren", Role.MANAGER),
        ("Team Syd", Role.COORDINATOR),
    }
    from_provider = {
        s.membership.role for s in SyncedMembership.objects.filter(membership__user=user)
    }
    assert from_provider == {Role.COORDINATOR, Role.MANAGER}
    assert not SyncedMembership.objects.filter(membership__unit=org["south"]).exists()
    assert User.objects.count() == 1


def test_a_role_given_by_hand_is_not_taken_over_by_the_groups(client, oidc, mappings, org):
    local = UserFactory(username="anna", roles=[(org["authority"], Role.OFFICER)])
    Identity.objects.create(user=local, issuer=oidc.issuer, subject="a1b2c3")
    sign_in(client, oidc, staff(groups=["brygga-handlaggare"]))
    client.logout()
    sign_in(client, oidc, staff(groups=["brygga-team-norr"]))

    assert logged_in_user(client) == local
    assert roles(local) == {("Myndigheten", Role.OFFICER), ("Team Norr", Role.COORDINATOR)}


def test_users_are_matched_by_sub_never_by_email(client, oidc, mappings):
    local = UserFactory(username="anna.h", email="anna.handlaggare@exempelby.se")
    sign_in(client, oidc, staff(sub="new-sub"))
    newcomer = logged_in_user(client)
    assert newcomer != local
    assert newcomer.username == "anna.handlaggare"
    client.logout()

    # The same sub with a new e-mail address and name is the same user, updated.
    sign_in(client, oidc, staff(sub="new-sub", email="anna.gift@exempelby.se", family_name="Gift"))
    assert logged_in_user(client) == newcomer
    newcomer.refresh_from_db()
    assert (newcomer.email, newcomer.last_name) == ("anna.gift@exempelby.se", "Gift")
    client.logout()

    # Someone else who gets the same preferred username gets an account of their own.
    sign_in(client, oidc, staff(sub="other-sub"))
    assert logged_in_user(client).username == "anna.handlaggare-2"


def test_groups_in_the_id_token_suffice_without_a_userinfo_endpoint(
    client, oidc, mappings, settings
):
    settings.OIDC_OP_USER_ENDPOINT = ""  # as with Azure AD, whose groups come in the ID token
    response = sign_in(client, oidc, staff(groups="brygga-team-norr"))
    assert response.status_code == 200
    assert roles(logged_in_user(client)) == {("Team Norr", Role.COORDINATOR)}
    assert "/realms/kommun/userinfo" not in oidc.requests


def test_the_groups_claim_name_is_configurable(client, oidc, mappings, settings):
    settings.OIDC_GROUPS_CLAIM = "roles"
    claims = staff(groups=[], roles=["brygga-handlaggare"])
    sign_in(client, oidc, claims)
    assert roles(logged_in_user(client)) == {("Myndigheten", Role.OFFICER)}


# --- no role --------------------------------------------------------------------------------


def test_an_unknown_group_gives_no_account_and_a_page_saying_so(client, oidc, mappings):
    response = sign_in(client, oidc, staff(groups=["alla-anstallda"]))

    assert response.status_code == 403
    assert NO_ROLE in response.content.decode()
    assert logged_in_user(client) is None
    assert not User.objects.exists()
    assert client.get("/").status_code == 302  # still anonymous


def test_losing_every_group_removes_the_roles_and_the_access(client, oidc, mappings):
    sign_in(client, oidc, staff(groups=["brygga-handlaggare"]))
    user = logged_in_user(client)
    client.logout()

    response = sign_in(client, oidc, staff(groups=[]))

    assert response.status_code == 403
    assert NO_ROLE in response.content.decode()
    assert logged_in_user(client) is None
    assert roles(user) == set()


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        ({"tamper": True}, "token_InvalidSignatureError"),
        ({"sign_with": "another key"}, "token_InvalidSignatureError"),
        ({"nonce": "another-nonce"}, "token_nonce"),
        ({"aud": "another-client"}, "token_InvalidAudienceError"),
        ({"iss": "https://evil.example/realms/kommun"}, "token_InvalidIssuerError"),
        ({"exp": 1_000_000_000, "iat": 999_999_000}, "token_ExpiredSignatureError"),
    ],
    ids=["tampered", "wrong-key", "wrong-nonce", "wrong-audience", "wrong-issuer", "expired"],
)
def test_an_id_token_that_does_not_hold_is_refused(client, oidc, mappings, caplog, spoil, reason):
    if spoil.pop("tamper", False):
        oidc.tamper = True
    if spoil.pop("sign_with", None):
        oidc.sign_with = new_key()
    oidc.spoil = spoil
    caplog.set_level(logging.INFO, logger="brygga.sso")

    response = sign_in(client, oidc, staff())

    assert response.status_code == 403
    assert FAILED in response.content.decode()
    assert logged_in_user(client) is None
    assert not User.objects.exists()
    assert [r.getMessage() for r in caplog.records if r.name == "brygga.sso"] == [
        f"sso login refused: {reason}"
    ]


def test_userinfo_about_someone_else_is_refused(client, oidc, mappings, caplog):
    oidc.userinfo_changes = {"sub": "someone-else", "groups": ["brygga-chef"]}
    response = sign_in(client, oidc, staff())
    assert response.status_code == 403
    assert FAILED in response.content.decode()
    assert logged_in_user(client) is None
    assert "sso login refused: userinfo_sub" in caplog.text


def test_a_provider_that_refuses_the_code_gives_the_failure_page(client, oidc, mappings):
    oidc.user = staff()
    start = client.get("/sso/logga-in/")
    back = requests.get(start["Location"], allow_redirects=False, timeout=5).headers["Location"]
    oidc.codes.clear()  # the code has expired at the provider
    response = client.get(back.removeprefix("http://testserver"))
    assert response.status_code == 403
    assert FAILED in response.content.decode()


def test_a_callback_cannot_be_replayed(client, oidc, mappings):
    oidc.user = staff()
    start = client.get("/sso/logga-in/")
    back = requests.get(start["Location"], allow_redirects=False, timeout=5).headers["Location"]
    callback = back.removeprefix("http://testserver")
    assert client.get(callback).status_code == 302
    client.logout()
    replay = client.get(callback)
    assert replay.status_code == 403
    assert logged_in_user(client) is None


def test_cancelling_at_the_provider_says_so(db, client, oidc):
    client.get("/sso/logga-in/")
    response = client.get("/sso/callback/", {"error": "access_denied", "state": "x"})
    assert response.status_code == 403
    assert "Inloggningen avbröts" in response.content.decode()


def test_an_unreachable_provider_gives_a_clear_page(client, oidc, mappings, settings):
    oidc.user = staff()
    start = client.get("/sso/logga-in/")
    back = requests.get(start["Location"], allow_redirects=False, timeout=5).headers["Location"]
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/token"  # nothing listens there
    response = client.get(back.removeprefix("http://testserver"))
    assert response.status_code == 502
    assert "Kommunens inloggningstjänst gick inte att nå" in response.content.decode()


def test_an_inactive_account_is_refused(client, oidc, mappings):
    sign_in(client, oidc, staff())
    user = logged_in_user(client)
    client.logout()
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = sign_in(client, oidc, staff())
    assert response.status_code == 403
    assert logged_in_user(client) is None


@override_settings(PRODUCTION=True)
def test_a_demo_account_cannot_log_in_through_the_provider_in_production(
    client, oidc, mappings, org
):
    demo = UserFactory(username="officer", roles=[(org["authority"], Role.OFFICER)])
    StaffFlag.objects.create(user=demo, is_demo=True)
    Identity.objects.create(user=demo, issuer=oidc.issuer, subject="a1b2c3")
    response = sign_in(client, oidc, staff())
    assert response.status_code == 403
    assert logged_in_user(client) is None


# --- the application log --------------------------------------------------------------------


def test_the_login_and_the_refusal_are_logged_without_personal_data(client, oidc, mappings, caplog):
    caplog.set_level(logging.DEBUG)
    sign_in(client, oidc, staff(groups=["brygga-handlaggare"]))
    client.logout()
    sign_in(client, oidc, staff(groups=["alla-anstallda"]))

    sso_lines = [r.getMessage() for r in caplog.records if r.name == "brygga.sso"]
    assert sso_lines == [
        "sso login accepted: new account yes, memberships added 1, removed 0",
        "sso login: session started",
        "sso login refused: no_role",
    ]
    everything = "\n".join(r.getMessage() for r in caplog.records)
    for personal in ("a1b2c3", "anna", "Anna", "Handläggare", "exempelby.se"):
        assert personal not in everything


# --- the login page and BRYGGA_AUTH ---------------------------------------------------------


def test_with_local_passwords_only_the_provider_addresses_do_not_exist(
    client, oidc, settings, coordinator
):
    use_auth(settings, "local")
    assert client.get("/sso/logga-in/").status_code == 404
    assert client.get("/sso/callback/", {"code": "c", "state": "s"}).status_code == 404
    page = client.get("/accounts/login/").content.decode()
    assert BUTTON not in page
    assert 'name="password"' in page
    login = client.post("/accounts/login/", {"username": "coord", "password": "pw"})
    assert login["Location"] == "/"


def test_with_both_the_login_page_offers_both(client, oidc, coordinator):
    page = client.get("/accounts/login/", {"next": "/personer/"}).content.decode()
    assert BUTTON in page
    assert 'href="/sso/logga-in/?next=/personer/"' in page
    assert 'name="password"' in page
    assert (
        client.post("/accounts/login/", {"username": "coord", "password": "pw"}).status_code == 302
    )


def test_with_the_provider_only_the_password_form_is_refused(
    client, oidc, settings, coordinator, mappings
):
    use_auth(settings, "oidc")
    page = client.get("/accounts/login/").content.decode()
    assert BUTTON in page
    assert 'name="password"' not in page
    refused = client.post("/accounts/login/", {"username": "coord", "password": "pw"})
    assert refused.status_code == 403
    assert logged_in_user(client) is None
    # The password never authenticates, whichever way it is tried.
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username="coord", password="pw") is None

    response = sign_in(client, oidc, staff())
    assert response.status_code == 200
    assert logged_in_user(client).username == "anna.handlaggare"


# --- logging out ----------------------------------------------------------------------------


def test_logging_out_ends_the_session_and_the_providers(client, oidc, mappings):
    sign_in(client, oidc, staff())
    id_token = client.session["oidc_id_token"]

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == oidc.issuer + "/logout"
    query = parse_qs(location.query)
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == ["http://testserver/accounts/login/"]
    assert logged_in_user(client) is None
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_logging_out_a_password_session_stays_in_brygga(client, oidc, coordinator):
    client.post("/accounts/login/", {"username": "coord", "password": "pw"})
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/"
    assert logged_in_user(client) is None


# --- every standard user, with the provider on ------------------------------------------------


def test_the_provider_addresses_for_every_standard_user(oidc, role_users):
    """Anyone may start a login (a logged-in user logs in again, perhaps as someone else); a
    callback that Brygga did not start is refused for everyone."""
    from django.test import Client

    users = [None, *role_users.values()]
    for user in users:
        client = Client()
        if user is not None:
            client.force_login(user, backend="organisation.auth.BryggaModelBackend")
        start = client.get("/sso/logga-in/")
        assert start.status_code == 302
        assert start["Location"].startswith(oidc.issuer + "/authorize?")
        forged = client.get("/sso/callback/", {"code": "forged", "state": "forged"})
        assert forged.status_code == 403
        assert FAILED in forged.content.decode()
