"""Builders for users: a role, a known password and, for staff, their editions."""

from collections.abc import Iterable
from typing import Any

import factory

from herald.accounts.models import User
from herald.core.roles import Role

PASSWORD = "pw-herald-test-1"


class UserFactory(factory.django.DjangoModelFactory[User]):
    """A user made through `User.objects.create_user`, so the password is hashed
    and the role's desk flags are set as in production. Pass `editions=[...]` to
    scope an editor or contributor."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = PASSWORD
    role = Role.READER

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        return model_class.objects.create_user(*args, **kwargs)

    @factory.post_generation
    def editions(self, create: bool, extracted: Iterable[Any] | None) -> None:
        if create and extracted is not None:
            self.editions.set(extracted)  # type: ignore[attr-defined]


class ScopeEditionFactory(factory.django.DjangoModelFactory[Any]):
    """An edition to scope staff to. Named by label, as `User.editions` names it,
    because accounts imports no other Herald app (editions' own builder is
    `herald.editions.tests.factories.EditionFactory`)."""

    class Meta:
        model = "editions.Edition"

    name = factory.Sequence(lambda n: f"Scope {n} Herald")
    slug = factory.Sequence(lambda n: f"scope-{n}")
    host_names = factory.LazyAttribute(lambda o: f"{o.slug}.example.com")
    logo_text = factory.LazyAttribute(lambda o: o.name)
    contact_email = "desk@example.com"
    newsletter_sender_name = factory.LazyAttribute(lambda o: o.name)
    newsletter_sender_email = "daily@example.com"


def make_user(username: str, role: str, editions: Iterable[Any]) -> User:
    """A user with `role`, the shared test password, working on `editions`."""
    return UserFactory.create(username=username, role=role, editions=list(editions))
