"""Fixtures of the newsletter tests: a mail server for sign-ups, sections, the
deliveries the bounce samples are about, and an issue to render."""

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from herald.editions.models import Edition
from herald.newsletter.models import Delivery, Issue
from herald.newsletter.rendering.cache import clear_render_cache
from herald.newsletter.tests.factories import daily_issue, make_issue, sent_delivery
from herald.newsletter.tests.inbox import Inbox
from herald.newsletter.tests.samples import MAILED
from herald.newsletter.tests.sink import free_port
from herald.stories.models import Provenance, Section
from herald.stories.tests.factories import StoryFactory


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    sink = Inbox()
    port = free_port()
    quiet = logging.getLogger("mail.log")  # aiosmtpd logs every command at INFO
    level = quiet.level
    quiet.setLevel(logging.WARNING)
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield sink
    finally:
        controller.stop()
        quiet.setLevel(level)


@pytest.fixture
def sections(section: Section) -> list[Section]:
    return [
        section,
        Section.objects.create(name="Business", slug="business"),
        Section.objects.create(name="Sport", slug="sport"),
    ]


@pytest.fixture
def mailed(japan: Edition) -> dict[str, Delivery]:
    """Issue 5 April went to every address the samples are about."""
    issue = daily_issue(japan)
    return {
        address: sent_delivery(issue, address, mid) for address, mid in MAILED.items()
    }


@pytest.fixture
def fresh_blocks(settings: Any) -> Iterator[None]:
    settings.HERALD_PUBLIC_SCHEME = "https"
    clear_render_cache()
    yield
    clear_render_cache()


@pytest.fixture
def business(db: None) -> Section:
    return Section.objects.create(name="Business", slug="business", position=1)


@pytest.fixture
def issue(
    japan: Edition, section: Section, business: Section, make_story: StoryFactory
) -> Issue:
    lead = make_story(headline="Harbour plan goes ahead", is_featured=True)
    world = make_story(headline="Typhoon season starts early")
    trade = make_story(headline="Exports rise again", primary_section=business)
    release = make_story(headline="Company opens plant", provenance=Provenance.RELEASE)
    return make_issue(
        japan,
        top=[lead],
        sections={section: [world], business: [trade]},
        releases=[release],
    )
