"""A user's role decides the desk flags and powers; inactive users have none."""

import pytest
from django.utils import timezone

from herald.accounts.models import User
from herald.accounts.tests.factories import UserFactory
from herald.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "staff", "superuser"),
    [
        (Role.READER, False, False),
        (Role.SUBMITTER, False, False),
        (Role.MODERATOR, True, False),
        (Role.CONTRIBUTOR, True, False),
        (Role.EDITOR, True, False),
        (Role.ADMIN, True, True),
    ],
)
def test_the_role_sets_djangos_desk_flags_on_save(
    role: Role, staff: bool, superuser: bool
) -> None:
    user = UserFactory.create(role=role)
    user.refresh_from_db()
    assert (user.is_staff, user.is_superuser) == (staff, superuser)


def test_changing_the_role_moves_the_flags_with_it() -> None:
    user = UserFactory.create(role=Role.ADMIN)
    user.role = Role.READER
    user.save()
    user.refresh_from_db()
    assert not user.is_staff and not user.is_superuser


@pytest.mark.parametrize(
    ("role", "powers"),
    [
        (Role.READER, set()),
        (Role.SUBMITTER, {"submitter"}),
        (Role.MODERATOR, {"moderator"}),
        (Role.CONTRIBUTOR, {"contributor"}),
        (Role.EDITOR, {"contributor", "editor", "moderator"}),
        (Role.ADMIN, {"contributor", "editor", "moderator", "admin"}),
    ],
)
def test_each_role_has_exactly_its_powers(role: Role, powers: set[str]) -> None:
    user = UserFactory.create(role=role)
    held = {
        name
        for name in ("admin", "editor", "contributor", "moderator", "submitter")
        if getattr(user, f"is_{name}")
    }
    assert held == powers


def test_a_deactivated_user_keeps_the_role_but_loses_every_power() -> None:
    user = UserFactory.create(role=Role.ADMIN, is_active=False)
    assert user.role == Role.ADMIN
    assert not any(
        (user.is_admin, user.is_editor, user.is_contributor, user.is_moderator)
    )


def test_createsuperuser_makes_an_admin() -> None:
    user = User.objects.create_superuser("root", "root@example.com", "pw-1-root")
    assert user.role == Role.ADMIN and user.is_admin
    assert user.is_staff and user.is_superuser


def test_the_password_is_stored_hashed_and_checks() -> None:
    user = UserFactory.create(password="boathouse-2026!")
    assert user.password != "boathouse-2026!"
    assert user.check_password("boathouse-2026!")


def test_an_address_is_verified_only_once_the_link_was_followed() -> None:
    user = UserFactory.create(role=Role.SUBMITTER, email="press@example.org")
    assert not user.email_verified
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    user.refresh_from_db()
    assert user.email_verified
