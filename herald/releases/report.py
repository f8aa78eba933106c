"""The distribution report of a published release, built only from recorded facts:
the story's editions and times, the feeds' rules, and the newsletter issues that
were sent. Every entry carries a link that checks it."""

from dataclasses import dataclass, field
from datetime import datetime

from django.http import HttpRequest
from django.urls import reverse

from herald.editions.links import edition_origin
from herald.editions.models import Edition
from herald.newsletter.models import Delivery, DeliveryStatus, Issue, IssueStatus
from herald.newsletter.rendering.contents import archive_issue_path
from herald.releases.models import Decision, NewsRelease
from herald.stories.links import story_url
from herald.stories.workflow import Status


@dataclass(frozen=True)
class FeedLink:
    name: str
    url: str


@dataclass(frozen=True)
class EditionEntry:
    edition: Edition
    url: str
    # When the story became public there, which is when it entered the edition's
    # feeds; None when the edition was added after approval (time not recorded).
    entered_at: datetime | None
    feeds: list[FeedLink]


@dataclass(frozen=True)
class IssueEntry:
    edition: Edition
    issue: Issue
    url: str
    sent: int


@dataclass
class Report:
    live: bool
    scheduled_for: datetime | None = None
    public_at: datetime | None = None
    retracted_at: datetime | None = None
    editions: list[EditionEntry] = field(default_factory=list)
    issues: list[IssueEntry] = field(default_factory=list)


def _feeds(origin: str, section_slug: str) -> list[FeedLink]:
    return [
        FeedLink("Latest (RSS)", origin + reverse("feeds:latest_rss")),
        FeedLink("Latest (Atom)", origin + reverse("feeds:latest_atom")),
        FeedLink(
            "Section (RSS)",
            origin + reverse("feeds:section_rss", kwargs={"slug": section_slug}),
        ),
    ]


def carried_by(issue: Issue, story_id: int) -> bool:
    contents = issue.contents or {}
    ids = [
        *contents.get("top", []),
        *contents.get("releases", []),
        *(i for ids in contents.get("sections", {}).values() for i in ids),
    ]
    return story_id in ids


def distribution_report(
    release: NewsRelease, request: HttpRequest | None = None
) -> Report | None:
    """Where the release's story is, and since when; None before approval. URLs
    are the ones the network publishes (as in its sitemaps); on a development host
    they are the development host names, as everywhere else."""
    story = release.story
    if story is None:
        return None
    if story.status == Status.SCHEDULED:
        return Report(live=False, scheduled_for=story.scheduled_for)
    approval = (
        release.decisions.filter(
            kind__in=[Decision.Kind.APPROVED, Decision.Kind.EDITED_APPROVED]
        )
        .order_by("-at")
        .first()
    )
    approved_ids = set(approval.edition_ids) if approval else set()
    public_at = story.public_at
    report = Report(
        live=story.is_public(),
        public_at=public_at,
        retracted_at=story.retracted_at,
    )
    editions = list(story.editions.order_by("position", "pk"))
    for edition in editions:
        origin = edition_origin(edition, request)
        report.editions.append(
            EditionEntry(
                edition=edition,
                url=story_url(story, edition, request),
                entered_at=public_at if edition.pk in approved_ids else None,
                feeds=_feeds(origin, story.primary_section.slug),
            )
        )
    if public_at is None:
        return report
    issues = (
        Issue.objects.filter(
            edition__in=editions,
            status__in=[IssueStatus.SENDING, IssueStatus.SENT],
            built_at__gte=public_at,
        )
        .select_related("edition")
        .order_by("local_date", "edition__position")
    )
    for issue in issues:
        if not carried_by(issue, story.pk):
            continue
        sent = Delivery.objects.filter(issue=issue, status=DeliveryStatus.SENT).count()
        report.issues.append(
            IssueEntry(
                edition=issue.edition,
                issue=issue,
                url=edition_origin(issue.edition, request)
                + archive_issue_path(issue.local_date),
                sent=sent,
            )
        )
    return report
