"""Builders shared by the release tests: submitters, moderators, images, releases,
and what the submission and decision forms post."""

import io
import re
from typing import Any

import factory
from django.core import mail
from django.test import Client
from django.utils import timezone
from PIL import Image

from herald.accounts.models import User
from herald.accounts.tests.factories import UserFactory
from herald.core.roles import Role
from herald.editions.models import Edition
from herald.releases import actions
from herald.releases.models import NewsRelease, Submitter
from herald.releases.text import render_body

BODY = (
    "The Kansai Rowing Club opened its new boathouse on the Yodo River on Saturday "
    "after two years of building work funded by members and the city.\n\n"
    "The building holds forty boats, a repair shop and changing rooms, and it "
    "replaces a shed that flooded three times in the last decade. The club said "
    "it would open the doors to school crews from the spring term, and that "
    "coaches from the city's sports office would run free sessions on weekday "
    "mornings for beginners of every age.\n\n"
    "Membership has grown from 80 to 210 rowers since 2021, according to the "
    "club's annual report."
)


def png(width: int = 1200, height: int = 800, colour: str = "#3a6ea5") -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    out.seek(0)
    out.name = "photo.png"
    return out


class SubmitterFactory(factory.django.DjangoModelFactory[Submitter]):
    """The Kansai Rowing Club's profile on a submitter account whose username is
    its address (verified unless `user__email_verified_at=None`)."""

    class Meta:
        model = Submitter

    user = factory.SubFactory(
        UserFactory,
        username=factory.SelfAttribute("email"),
        email="press@rowing.example.org",
        role=Role.SUBMITTER,
        email_verified_at=factory.LazyFunction(timezone.now),
    )
    organisation = "Kansai Rowing Club"
    website = "https://rowing.example.org"
    contact_person = "Ken Mori"
    phone = "+81 6 0000 0000"
    about = "A rowing club on the Yodo River since 1952."
    time_zone = "Asia/Tokyo"


def make_submitter(
    email: str = "press@rowing.example.org", *, verified: bool = True
) -> Submitter:
    return SubmitterFactory.create(
        user__email=email,
        user__email_verified_at=timezone.now() if verified else None,
    )


def make_moderator(username: str = "mod") -> User:
    return UserFactory.create(username=username, role=Role.MODERATOR)


def release_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "headline": "Rowing club opens a boathouse on the Yodo River",
        "summary": "The Kansai Rowing Club's new building holds forty boats.",
        "body": BODY,
        "category": "sports",
        "dateline_city": "Osaka",
        "dateline_country": "Japan",
        "contact_name": "Ken Mori",
        "contact_email": "press@rowing.example.org",
        "contact_phone": "+81 6 0000 0000",
        "release_at": None,
        "time_zone": "Asia/Tokyo",
    }
    fields.update(overrides)
    return fields


def make_release(
    submitter: Submitter,
    editions: list[Edition],
    *,
    submit: bool = True,
    images: int = 0,
    **overrides: Any,
) -> NewsRelease:
    release = actions.save_draft(
        submitter,
        release=None,
        editions=editions,
        new_images=[(png(), f"Boathouse {i}", "Ken Mori", True) for i in range(images)],
        **release_fields(**overrides),
    )
    if submit:
        release = actions.submit_release(release, by=submitter.user)
    return release


def form_data(editions: list[Edition], **overrides: Any) -> dict[str, Any]:
    """What the submission form posts, with 'now' as the release time."""
    fields = release_fields()
    fields.pop("release_at")
    data: dict[str, Any] = {
        **fields,
        "editions": [e.pk for e in editions],
        "when": "now",
        "release_local": "",
        "nickname": "",
        "step": "save",
    }
    data.update(overrides)
    return data


def decision_data(
    release: NewsRelease, section_pk: int, **overrides: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "decision": "approve",
        "headline": release.headline,
        "summary": release.summary,
        # The desk's editor holds the body as HTML, rendered from the Markdown.
        "body": render_body(release.body),
        "dateline_city": release.dateline_city,
        "dateline_country": release.dateline_country,
        "section": section_pk,
        "editions": [e.pk for e in release.editions.all()],
        "reason": "",
        "message": "",
    }
    data.update(overrides)
    return data


def link_in_last_mail(pattern: str) -> str:
    body = str(mail.outbox[-1].body)
    found = re.search(pattern, body)
    assert found, body
    return found.group(0)


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
