"""Verification links name the user and the address: altered, expired or stale
links are refused."""

import pytest
from django.core import signing

from herald.accounts.tests.factories import UserFactory
from herald.accounts.tokens import SALT, BadToken, read_verify_token, verify_token
from herald.core.roles import Role

pytestmark = pytest.mark.django_db


def test_a_fresh_link_names_its_user() -> None:
    user = UserFactory.create(role=Role.SUBMITTER, email="Press@Rowing.example.org")
    assert read_verify_token(verify_token(user)) == user


def test_an_altered_link_is_refused() -> None:
    token = verify_token(UserFactory.create(email="press@rowing.example.org"))
    with pytest.raises(BadToken, match="not valid"):
        read_verify_token(token[:-2] + "xx")


def test_a_link_signed_for_another_purpose_is_refused() -> None:
    user = UserFactory.create(email="press@rowing.example.org")
    token = signing.dumps({"u": user.pk, "e": user.email}, salt=SALT + ".other")
    with pytest.raises(BadToken, match="not valid"):
        read_verify_token(token)


def test_changing_the_address_voids_the_link() -> None:
    user = UserFactory.create(email="press@rowing.example.org")
    token = verify_token(user)
    user.email = "other@rowing.example.org"
    user.save()
    with pytest.raises(BadToken, match="not valid"):
        read_verify_token(token)


def test_a_deactivated_users_link_is_refused() -> None:
    user = UserFactory.create(email="press@rowing.example.org")
    token = verify_token(user)
    user.is_active = False
    user.save()
    with pytest.raises(BadToken, match="not valid"):
        read_verify_token(token)


def test_an_expired_link_says_so(settings: object) -> None:
    token = verify_token(UserFactory.create(email="press@rowing.example.org"))
    settings.HERALD_VERIFY_LINK_HOURS = -1  # type: ignore[attr-defined]
    with pytest.raises(BadToken, match="expired"):
        read_verify_token(token)
