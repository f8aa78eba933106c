"""The whole news release path through the real pages: sign up, verify, submit,
checks, moderation, publication on two editions and the distribution report."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from herald.accounts.models import User
from herald.editions.models import Edition
from herald.newsletter.building import build_issue, build_time
from herald.newsletter.models import IssueStatus
from herald.releases.models import Decision, NewsRelease, ReleaseStatus
from herald.releases.tests.factories import (
    decision_data,
    form_data,
    link_in_last_mail,
    make_moderator,
    png,
)
from herald.stories.models import Provenance, Section, Story
from herald.stories.workflow import Status

EMAIL = "press@rowing.example.org"


@pytest.mark.django_db(transaction=True)
def test_sign_up_verify_submit_moderate_publish_on_two_editions_and_report(
    japan: Edition, india: Edition, section: Section
) -> None:
    client = Client()
    # Sign up: the page says to check the inbox; the mail holds a signed link.
    signup = client.post(
        reverse("accounts:signup"),
        {
            "email": EMAIL,
            "password1": "boathouse-2026!",
            "password2": "boathouse-2026!",
        },
    )
    assert signup.status_code == 200
    assert b"Check your inbox" in signup.content
    assert mail.outbox[-1].to == [EMAIL]
    verify_link = link_in_last_mail(r"http://testserver/account/verify/\S+/")
    user = User.objects.get(email=EMAIL)
    assert user.role == "submitter" and user.email_verified_at is None

    # Log in; before verifying, the form is not offered, and the profile comes first.
    login = client.post(
        reverse("accounts:login"), {"username": EMAIL, "password": "boathouse-2026!"}
    )
    assert login.status_code == 302
    assert client.get(reverse("releases:submit"))["Location"].startswith(
        reverse("releases:profile")
    )
    profile = client.post(
        reverse("releases:profile"),
        {
            "organisation": "Kansai Rowing Club",
            "website": "https://rowing.example.org",
            "contact_person": "Ken Mori",
            "phone": "+81 6 0000 0000",
            "about": "A rowing club on the Yodo River since 1952.",
            "time_zone": "Asia/Tokyo",
        },
    )
    assert profile.status_code == 302
    assert (
        b"Confirm your address first" in client.get(reverse("releases:submit")).content
    )
    assert (
        b"Address confirmed"
        in client.get(verify_link.replace("http://testserver", "")).content
    )

    # Save a draft with an image, preview it, then submit it.
    draft = client.post(
        reverse("releases:submit"),
        {
            **form_data([japan, india]),
            "image1-image": png(),
            "image1-caption": "The new boathouse",
            "image1-credit": "Ken Mori",
            "image1-alt_text": "The new boathouse on the river bank",
            "image1-rights": "on",
        },
    )
    assert draft.status_code == 302, draft.content.decode()[:2000]
    release = NewsRelease.objects.get()
    assert release.status == ReleaseStatus.DRAFT and release.images.count() == 1
    preview = client.get(
        reverse("releases:preview", args=[release.pk]) + "?edition=japan-herald"
    )
    assert preview.status_code == 200
    assert b"Preview as Japan Herald" in preview.content
    assert b"News release" in preview.content
    assert b"OSAKA, Japan:" in preview.content
    submitted = client.post(
        reverse("releases:edit", args=[release.pk]),
        form_data([japan, india], step="submit"),
    )
    assert submitted.status_code == 302
    release.refresh_from_db()
    assert release.status == ReleaseStatus.PENDING
    # Checks ran on submission and found nothing in this clean release.
    assert [f["code"] for f in release.flags] == []
    assert f"#{release.pk}: received" in mail.outbox[-1].subject

    # The moderator sees it in the queue with its flags and approves it.
    moderator = Client()
    moderator.force_login(make_moderator())
    queue = moderator.get(reverse("admin:releases_newsrelease_changelist"), follow=True)
    assert release.headline.encode() in queue.content
    page = moderator.get(
        reverse("admin:releases_newsrelease_change", args=[release.pk])
    )
    assert page.status_code == 200 and b"Automated checks" in page.content
    decided = moderator.post(
        reverse("admin:releases_newsrelease_change", args=[release.pk]),
        decision_data(release, section.pk, message="Thanks, published."),
    )
    assert decided.status_code == 302
    release.refresh_from_db()
    assert release.status == ReleaseStatus.PUBLISHED
    story = release.story
    assert story is not None
    assert story.provenance == Provenance.RELEASE and story.status == Status.PUBLISHED
    assert set(story.editions.all()) == {japan, india}
    assert story.images.count() == 1
    assert [d.kind for d in release.decisions.all()] == [
        Decision.Kind.SUBMITTED,
        Decision.Kind.APPROVED,
        Decision.Kind.PUBLISHED,
    ]
    assert "approved" in mail.outbox[-1].subject
    assert "Thanks, published." in mail.outbox[-1].body

    # On both editions the page is live and labelled.
    for edition in (japan, india):
        page = Client().get(story.get_absolute_url(), HTTP_HOST=edition.hosts[0])
        assert page.status_code == 200
        assert b"News release" in page.content

    # A newsletter issue carries it; the report lists it with a link to check.
    yesterday = timezone.localdate(timezone.now(), ZoneInfo(japan.time_zone)) - (
        timedelta(days=1)
    )
    Story.objects.filter(pk=story.pk).update(
        published_at=build_time(japan, yesterday) - timedelta(hours=2)
    )
    issue = build_issue(japan, yesterday)
    assert story.pk in issue.contents["releases"]
    issue.status = IssueStatus.SENT
    issue.save()
    # The report is read on an edition's own host, as a submitter would.
    detail = client.get(
        reverse("releases:detail", args=[release.pk]), HTTP_HOST=japan.hosts[0]
    )
    text = detail.content.decode()
    assert "Distribution report" in text
    for edition in (japan, india):
        assert f"http://{edition.hosts[0]}{story.get_absolute_url()}" in text
        assert f"http://{edition.hosts[0]}/feeds/latest.rss" in text
    assert f"http://{japan.hosts[0]}/newsletter/archive/" in text
    assert "Thanks, published." in text
    # Every link in the report answers, on the host it names.
    links = re.findall(r'href="(http://[^"]+)"', text[text.index("Distribution") :])
    assert len(links) >= 9
    for link in links:
        host, path = link.removeprefix("http://").split("/", 1)
        assert Client().get("/" + path, HTTP_HOST=host).status_code == 200, link
