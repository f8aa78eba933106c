"""Builders of newsletter rows for tests: issues with their contents, subscribers,
and deliveries in the states the sender leaves them."""

import uuid
from datetime import date, timedelta

from django.utils import timezone

from herald.editions.models import Edition
from herald.newsletter.models import (
    Delivery,
    DeliveryStatus,
    Issue,
    IssueStatus,
    Subscriber,
    Subscription,
    SubscriptionStatus,
)
from herald.stories.models import Section, Story
from herald.stories.tests.factories import StoryFactory

SERVER_REPLY = "250 2.0.0 Ok: queued as 4Zb7Qm2kTqz9sWn"


def make_issue(
    edition: Edition,
    *,
    top: list[Story] = (),  # type: ignore[assignment]
    sections: dict[Section, list[Story]] | None = None,
    releases: list[Story] = (),  # type: ignore[assignment]
    subject: str = "Japan Herald daily: Saturday 5 April 2025 — Harbour plan",
    local_date: date = date(2025, 4, 5),
    status: str = IssueStatus.BUILT,
) -> Issue:
    return Issue.objects.create(
        edition=edition,
        local_date=local_date,
        subject=subject,
        status=status,
        contents={
            "top": [s.pk for s in top],
            "sections": {
                str(k.pk): [s.pk for s in v] for k, v in (sections or {}).items()
            },
            "releases": [s.pk for s in releases],
        },
    )


def deliver(
    issue: Issue,
    address: str = "reader@example.org",
    sections: list[Section] = (),  # type: ignore[assignment]
) -> Delivery:
    subscriber, _ = Subscriber.objects.get_or_create(email=address)
    subscription, _ = Subscription.objects.get_or_create(
        subscriber=subscriber,
        edition=issue.edition,
        defaults={"status": SubscriptionStatus.CONFIRMED},
    )
    subscription.sections.set(sections)
    return Delivery.objects.create(
        issue=issue,
        subscription=subscription,
        email=address,
        message_id=f"<{uuid.uuid4()}@{issue.edition.slug}.herald>",
    )


def daily_issue(edition: Edition, day: int = 5) -> Issue:
    return Issue.objects.create(
        edition=edition, local_date=date(2025, 4, day), subject="Your daily news"
    )


def sent_delivery(issue: Issue, address: str, message_id: str) -> Delivery:
    """A delivery the server accepted, as the sender leaves it."""
    subscriber, _ = Subscriber.objects.get_or_create(email=address)
    subscription, _ = Subscription.objects.get_or_create(
        subscriber=subscriber,
        edition=issue.edition,
        defaults={
            "status": SubscriptionStatus.CONFIRMED,
            "confirmed_at": timezone.now(),
        },
    )
    return Delivery.objects.create(
        issue=issue,
        subscription=subscription,
        email=address,
        message_id=f"<{message_id}>",
        status=DeliveryStatus.SENT,
        sent_at=timezone.now() - timedelta(hours=1),
        last_error=SERVER_REPLY,
    )


def issue_with_subscribers(
    edition: Edition, make_story: StoryFactory, subscribers: int
) -> Issue:
    """A real issue (stories in two sections) and `subscribers` confirmed readers:
    a third want only World, a third only Business, a third every section."""
    world = Section.objects.get(slug="world")
    business = Section.objects.create(name="Business", slug="business")
    top = [make_story(headline=f"Top story {n}") for n in range(3)]
    by_section = {
        section: [
            make_story(headline=f"{section.name} story {n}", primary_section=section)
            for n in range(4)
        ]
        for section in (world, business)
    }
    people = Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{n}@example.org") for n in range(subscribers)
    )
    subscriptions = Subscription.objects.bulk_create(
        Subscription(
            subscriber=person,
            edition=edition,
            status=SubscriptionStatus.CONFIRMED,
            confirmed_at=timezone.now(),
        )
        for person in people
    )
    through = Subscription.sections.through
    through.objects.bulk_create(
        through(subscription_id=sub.pk, section_id=(world, business)[n % 3].pk)
        for n, sub in enumerate(subscriptions)
        if n % 3 < 2
    )
    return Issue.objects.create(
        edition=edition,
        local_date=date(2026, 11, 26),
        subject="Japan Herald daily: Thursday 26 November 2026",
        contents={
            "top": [s.pk for s in top],
            "sections": {str(k.pk): [s.pk for s in v] for k, v in by_section.items()},
            "releases": [],
        },
    )
