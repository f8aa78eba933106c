"""Builders for editions: one masthead with its hosts, zone and newsletter sender."""

from typing import Any

import factory
from django.utils.text import slugify

from herald.editions.models import Edition


class EditionFactory(factory.django.DjangoModelFactory[Edition]):
    """An active edition answering on `<slug>.example.com`, in UTC unless told."""

    class Meta:
        model = Edition

    name = factory.Sequence(lambda n: f"Edition {n} Herald")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    host_names = factory.LazyAttribute(lambda o: f"{o.slug}.example.com")
    time_zone = "UTC"
    logo_text = factory.LazyAttribute(lambda o: o.name)
    contact_email = factory.LazyAttribute(lambda o: f"desk@{o.slug}.example.com")
    newsletter_sender_name = factory.LazyAttribute(lambda o: o.name)
    newsletter_sender_email = factory.LazyAttribute(
        lambda o: f"daily@{o.slug}.example.com"
    )


def make_edition(slug: str, name: str, zone: str, **extra: Any) -> Edition:
    """An edition answering on `<slug>.example.com`, branded with its name."""
    return EditionFactory.create(slug=slug, name=name, time_zone=zone, **extra)
