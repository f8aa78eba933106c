"""Builders for the pool's reference rows: sections, places and authors. Stories
themselves are made through `herald.stories.actions`, never as raw rows."""

from collections.abc import Callable

import factory
from django.utils.text import slugify

from herald.stories.models import Author, Place, Section, Story


class SectionFactory(factory.django.DjangoModelFactory[Section]):
    class Meta:
        model = Section

    name = "World"
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class PlaceFactory(factory.django.DjangoModelFactory[Place]):
    class Meta:
        model = Place

    name = "Tokyo"
    country = "Japan"
    country_code = "JP"
    slug = factory.LazyAttribute(lambda o: f"{slugify(o.name)}-{slugify(o.country)}")


class AuthorFactory(factory.django.DjangoModelFactory[Author]):
    class Meta:
        model = Author

    name = "Aiko Tanaka"
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


# The type of the root conftest's `make_story` fixture: it makes a story through the
# actions (created, and published unless told otherwise).
StoryFactory = Callable[..., Story]
