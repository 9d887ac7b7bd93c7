"""From an OpenID Connect provider's claims to a Stridewise role (stridewise.oidc)."""

from __future__ import annotations

import pytest

from stridewise import oidc
from stridewise.errors import UsageError

CFG = oidc.OidcConfig(group_roles={"coaches": "coach", "club-admins": "admin",
                                   "runners": "athlete"},
                      athlete_emails={"ana@club.example": "Ana Silva"})


def test_no_mapping_means_no_access_with_a_sentence() -> None:
    d = oidc.decide({"email": "coach@club.example", "groups": ["coaches"]}, oidc.OidcConfig())
    assert not d.allowed and d.role is None
    assert "coach@club.example" in d.message and "Settings page" in d.message


def test_group_gives_role() -> None:
    d = oidc.decide({"email": "Coach@Club.example", "groups": ["coaches"]}, CFG)
    assert d.allowed and d.role == "coach" and d.email == "coach@club.example"
    assert d.athlete is None


def test_unmapped_groups_no_access_and_the_groups_are_named() -> None:
    d = oidc.decide({"email": "x@club.example", "groups": ["parents", "volunteers"]}, CFG)
    assert d.role is None
    assert "parents, volunteers" in d.message and "'groups' claim" in d.message
    d = oidc.decide({"email": "x@club.example"}, CFG)
    assert d.role is None and "lists: none" in d.message


def test_most_powerful_role_wins() -> None:
    d = oidc.decide({"email": "a@club.example", "groups": ["runners", "club-admins", "coaches"]},
                    CFG)
    assert d.role == "admin"


@pytest.mark.parametrize("groups", [["/coaches"], ["COACHES"], " coaches ", [{"name": "coaches"}],
                                    {"coaches": True}])
def test_group_spellings(groups: object) -> None:
    assert oidc.decide({"email": "c@club.example", "groups": groups}, CFG).role == "coach"


def test_nested_and_namespaced_claims() -> None:
    keycloak = {"email": "c@club.example", "realm_access": {"roles": ["offline_access", "coaches"]}}
    cfg = oidc.OidcConfig(groups_claim="realm_access.roles", group_roles={"coaches": "coach"})
    assert oidc.decide(keycloak, cfg).role == "coach"
    auth0 = {"email": "c@club.example", "https://club.example/groups": ["coaches"]}
    cfg = oidc.OidcConfig(groups_claim="https://club.example/groups",
                          group_roles={"coaches": "coach"})
    assert oidc.decide(auth0, cfg).role == "coach"
    assert oidc.groups_from_claims({"realm_access": "x"}, "realm_access.roles") == ()


def test_email_from_microsoft_preferred_username_and_missing_email() -> None:
    ms = {"preferred_username": "Coach@Club.onmicrosoft.com", "groups": ["coaches"]}
    assert oidc.decide(ms, CFG).email == "coach@club.onmicrosoft.com"
    d = oidc.decide({"sub": "123", "preferred_username": "coach", "groups": ["coaches"]}, CFG)
    assert d.role is None and "'email' scope" in d.message


@pytest.mark.parametrize("flag", [False, "false"])
def test_unverified_email_is_refused(flag: object) -> None:
    d = oidc.decide({"email": "c@club.example", "email_verified": flag, "groups": ["coaches"]},
                    CFG)
    assert d.role is None and "not verified" in d.message


def test_bootstrap_admin_without_mapping() -> None:
    admins = oidc.bootstrap_admins({oidc.ADMINS_ENV: "Boss@club.example, other@club.example"})
    assert admins == {"boss@club.example", "other@club.example"}
    d = oidc.decide({"email": "boss@club.example"}, oidc.OidcConfig(), admins=admins)
    assert d.role == "admin"
    assert oidc.bootstrap_admins({}) == frozenset()


def test_athlete_linked_by_mapping_or_existing_account() -> None:
    d = oidc.decide({"email": "ana@club.example", "groups": ["runners"]}, CFG)
    assert d.role == "athlete" and d.athlete == "Ana Silva"
    d = oidc.decide({"email": "bo@club.example", "groups": ["runners"]}, CFG,
                    linked_athlete="Bo Berg")
    assert d.athlete == "Bo Berg"
    d = oidc.decide({"email": "ana@club.example", "groups": ["runners"]}, CFG,
                    linked_athlete="Ana S.")
    assert d.athlete == "Ana S."  # the account keeps the athlete it owns
    d = oidc.decide({"email": "cy@club.example", "groups": ["runners"]}, CFG)
    assert d.role is None and "not linked to an athlete" in d.message


def test_validate_group_roles() -> None:
    assert oidc.validate_group_roles([("/Coaches", "Coach"), ("", ""), (None, None)]) == {
        "coaches": "coach"}
    with pytest.raises(UsageError, match="not a role"):
        oidc.validate_group_roles([("coaches", "owner")])
    with pytest.raises(UsageError, match="two roles"):
        oidc.validate_group_roles([("coaches", "coach"), ("COACHES", "admin")])
    with pytest.raises(UsageError, match="names no group"):
        oidc.validate_group_roles([("", "coach")])


def test_validate_athlete_emails_and_claim_name() -> None:
    assert oidc.validate_athlete_emails([("Ana@Club.example", " Ana Silva ")]) == {
        "ana@club.example": "Ana Silva"}
    with pytest.raises(UsageError, match="not an e-mail"):
        oidc.validate_athlete_emails([("ana", "Ana Silva")])
    with pytest.raises(UsageError, match="names no athlete"):
        oidc.validate_athlete_emails([("ana@club.example", "")])
    assert oidc.validate_claim_name(" roles ") == "roles"
    with pytest.raises(UsageError, match="not a claim name"):
        oidc.validate_claim_name("my groups")


def test_settings_round_trip_keeps_other_keys_and_survives_junk() -> None:
    saved = oidc.with_config({"tz": "Europe/Oslo"}, CFG)
    assert saved["tz"] == "Europe/Oslo"
    assert oidc.config_from_settings(saved) == CFG
    junk = {oidc.SETTINGS_KEY: {"groups_claim": "bad claim!", "group_roles": {"x": "owner",
                                                                              "y": "coach"},
                                "athlete_emails": ["nope"]}}
    cfg = oidc.config_from_settings(junk)
    assert cfg.groups_claim == "groups" and cfg.group_roles == {"y": "coach"}
    assert cfg.athlete_emails == {}
    assert oidc.config_from_settings({oidc.SETTINGS_KEY: "text"}) == oidc.OidcConfig()
    assert oidc.config_from_settings(None) == oidc.OidcConfig()


def test_decide_does_not_mutate_claims() -> None:
    claims = {"email": "c@club.example", "groups": ["/coaches"]}
    before = {"email": "c@club.example", "groups": ["/coaches"]}
    oidc.decide(claims, CFG)
    assert claims == before


GOOD_AUTH = {"redirect_uri": "https://s.example/oauth2callback", "cookie_secret": "x" * 32}
PROVIDER = {"client_id": "sw", "client_secret": "s3cret", "server_metadata_url": "https://id/x"}


def test_secrets_default_and_named_provider() -> None:
    assert oidc.provider_from_auth_section({**GOOD_AUTH, **PROVIDER}) == (None, None)
    assert oidc.provider_from_auth_section({**GOOD_AUTH, "keycloak": PROVIDER}) == (
        "keycloak", None)


@pytest.mark.parametrize("section,needle", [
    (None, "needs the [auth] section"),
    ({}, "needs the [auth] section"),
    ({**PROVIDER, "redirect_uri": "https://s.example/oauth2callback"}, "lacks cookie_secret"),
    ({**GOOD_AUTH, **PROVIDER, "redirect_uri": "https://s.example/"}, "must end with"),
    ({**GOOD_AUTH, "client_id": "sw"}, "lacks client_secret, server_metadata_url"),
    ({**GOOD_AUTH, "a": PROVIDER, "b": PROVIDER}, "several providers (a, b)"),
    ({**GOOD_AUTH, "kc": {"client_id": "sw"}}, "[auth.kc] section"),
    (GOOD_AUTH, "lacks client_id"),
])
def test_secrets_problems_are_one_sentence_without_secrets(section: object, needle: str) -> None:
    provider, problem = oidc.provider_from_auth_section(section)  # type: ignore[arg-type]
    assert provider is None and problem is not None and needle in problem
    assert "s3cret" not in problem and "x" * 32 not in problem
