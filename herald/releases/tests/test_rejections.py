"""Every way a release is turned back or refused: by the moderator (reject, ask for
changes), by the form (limits, images, honeypot), and by the rules (unverified
account, incomplete release, decisions out of turn or out of scope)."""

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from herald.accounts.models import User
from herald.editions.models import Edition
from herald.releases import actions
from herald.releases.models import Decision, NewsRelease, ReleaseStatus
from herald.releases.tests.factories import (
    BODY,
    decision_data,
    form_data,
    logged_in,
    make_moderator,
    make_release,
    make_submitter,
    png,
)
from herald.releases.text import render_body
from herald.stories.actions import publish_due_stories
from herald.stories.models import Section, Story
from herald.stories.workflow import Status

pytestmark = pytest.mark.django_db(transaction=True)


def _decide(release: NewsRelease, section: Section, **data: Any) -> Any:
    moderator = User.objects.filter(username="mod").first() or make_moderator()
    client = logged_in(moderator)
    return client.post(
        reverse("admin:releases_newsrelease_change", args=[release.pk]),
        decision_data(release, section.pk, **data),
    )


def _moderator_page(release: NewsRelease) -> str:
    moderator = User.objects.filter(username="mod").first() or make_moderator()
    url = reverse("admin:releases_newsrelease_change", args=[release.pk])
    return logged_in(moderator).get(url).content.decode()


def test_rejection_records_reason_and_message_and_mails_the_submitter(
    japan: Edition, section: Section
) -> None:
    release = make_release(make_submitter(), [japan])
    response = _decide(
        release,
        section,
        decision="reject",
        reason="advertising",
        message="This reads as an advert.",
    )
    assert response.status_code == 302
    release.refresh_from_db()
    assert release.status == ReleaseStatus.REJECTED and release.story is None
    last = release.decisions.last()
    assert last is not None
    assert (last.kind, last.reason, last.message) == (
        Decision.Kind.REJECTED,
        "advertising",
        "This reads as an advert.",
    )
    assert "not accepted" in mail.outbox[-1].subject
    assert "Advertising, not news" in mail.outbox[-1].body
    assert "This reads as an advert." in mail.outbox[-1].body
    assert not Story.objects.exists()
    # The submitter sees the decision and message, and can no longer edit.
    client = logged_in(release.submitter.user)
    page = client.get(release.get_absolute_url()).content.decode()
    assert "This reads as an advert." in page and "Rejected" in page
    edit = client.get(reverse("releases:edit", args=[release.pk]))
    assert edit.status_code == 302 and edit["Location"] == release.get_absolute_url()


def test_reject_without_reason_or_message_is_refused_and_changes_nothing(
    japan: Edition, section: Section
) -> None:
    release = make_release(make_submitter(), [japan])
    page = _decide(release, section, decision="reject", reason="", message="")
    assert page.status_code == 200
    assert b"Choose the reason." in page.content
    assert b"Write the message to the submitter." in page.content
    release.refresh_from_db()
    assert release.status == ReleaseStatus.PENDING


def test_requested_changes_go_back_to_the_submitter_who_edits_and_resubmits(
    japan: Edition, section: Section
) -> None:
    release = make_release(make_submitter(), [japan])
    _decide(release, section, decision="changes", message="Add the opening date.")
    release.refresh_from_db()
    assert release.status == ReleaseStatus.CHANGES_REQUESTED
    assert "changes requested" in mail.outbox[-1].subject
    client = logged_in(release.submitter.user)
    form = client.get(reverse("releases:edit", args=[release.pk]))
    assert b"Add the opening date." in form.content
    resubmitted = client.post(
        reverse("releases:edit", args=[release.pk]),
        form_data([japan], step="submit", summary="Opens on 1 May."),
    )
    assert resubmitted.status_code == 302
    release.refresh_from_db()
    assert release.status == ReleaseStatus.PENDING
    assert release.summary == "Opens on 1 May."
    assert [d.kind for d in release.decisions.all()] == [
        Decision.Kind.SUBMITTED,
        Decision.Kind.CHANGES,
        Decision.Kind.SUBMITTED,
    ]


def test_edit_and_approve_publishes_the_moderators_text_and_says_so(
    japan: Edition, section: Section
) -> None:
    release = make_release(make_submitter(), [japan])
    _decide(release, section, headline="Rowing club opens boathouse")
    release.refresh_from_db()
    assert release.story is not None
    assert release.story.headline == "Rowing club opens boathouse"
    approval = release.decisions.get(kind=Decision.Kind.EDITED_APPROVED)
    assert "Edited: headline." in approval.message
    assert "approved with edits" in mail.outbox[-1].subject


def test_the_moderator_edits_the_body_in_the_desk_editor_and_the_story_gets_it(
    japan: Edition, section: Section
) -> None:
    release = make_release(
        make_submitter(), [japan], body=BODY + "\n\n- Forty boats\n- A repair shop"
    )
    markdown = release.body
    page = _moderator_page(release)
    assert 'data-herald-editor="body"' in page and "desk/body_editor.js" in page
    # What the editor sends back untouched (list items as paragraphs, no line
    # breaks between blocks) is no edit.
    untouched = (
        render_body(markdown)
        .replace("<li>", "<li><p>")
        .replace("</li>", "</p></li>")
        .replace("\n", "")
    )
    _decide(release, section, body=untouched)
    release.refresh_from_db()
    assert release.decisions.get(kind=Decision.Kind.APPROVED)
    assert release.story is not None
    assert "<li>Forty boats</li>" in release.story.body


def test_a_moderators_body_edit_reaches_the_story_and_the_release_keeps_its_text(
    japan: Edition, section: Section
) -> None:
    release = make_release(make_submitter(), [japan])
    markdown = release.body
    edited = (
        render_body(markdown).replace("</p>", " <strong>Open daily.</strong></p>", 1)
        + '<h2>Where</h2><p onclick="x()">On the <a href="https://example.org">river</a></p>'
    )
    _decide(release, section, body=edited)
    release.refresh_from_db()
    assert release.body == markdown
    assert release.story is not None
    body = release.story.body
    assert "<strong>Open daily.</strong>" in body and "<h2>Where</h2>" in body
    assert "onclick" not in body
    approval = release.decisions.get(kind=Decision.Kind.EDITED_APPROVED)
    assert "Edited: body." in approval.message


def test_a_future_release_time_schedules_the_story_until_it_is_due(
    japan: Edition, section: Section
) -> None:
    at = timezone.now() + timedelta(hours=5)
    release = make_release(make_submitter(), [japan], release_at=at)
    _decide(release, section)
    release.refresh_from_db()
    story = release.story
    assert story is not None
    assert release.status == ReleaseStatus.SCHEDULED
    assert story.status == Status.SCHEDULED and story.scheduled_for == at
    assert not Story.objects.public().exists()
    client = logged_in(release.submitter.user)
    assert (
        b"this report fills in then" in client.get(release.get_absolute_url()).content
    )
    # When it is due, the worker publishes it and the release follows.
    assert publish_due_stories(now=at + timedelta(seconds=1)) == 1
    release.refresh_from_db()
    assert release.status == ReleaseStatus.PUBLISHED
    assert release.decisions.last().kind == Decision.Kind.PUBLISHED  # type: ignore[union-attr]
    assert "published" in mail.outbox[-1].subject


def test_a_requested_time_already_past_is_flagged_and_publishes_at_once(
    japan: Edition, section: Section
) -> None:
    release = make_release(
        make_submitter(), [japan], release_at=timezone.now() - timedelta(hours=1)
    )
    assert "past_time" in [f["code"] for f in release.flags]
    _decide(release, section)
    release.refresh_from_db()
    assert release.status == ReleaseStatus.PUBLISHED


def test_a_decided_release_takes_no_second_decision(
    japan: Edition, section: Section
) -> None:
    release = make_release(make_submitter(), [japan])
    moderator = make_moderator()
    actions.reject_release(release, by=moderator, reason="spam", message="Spam.")
    with pytest.raises(actions.MoveNotAllowed):
        actions.approve_release(release, by=moderator, section=section)
    # A decision posted from a stale page is refused with a message.
    page = logged_in(moderator).post(
        reverse("admin:releases_newsrelease_change", args=[release.pk]),
        decision_data(release, section.pk),
        follow=True,
    )
    text = page.content.decode()
    assert "there is nothing to decide, and nothing was changed" in text
    assert "Decide</h2>" not in text
    assert not Story.objects.exists()


def test_an_editor_decides_only_on_releases_for_their_editions(
    japan: Edition, india: Edition, section: Section, japan_editor: User
) -> None:
    release = make_release(make_submitter(), [japan, india])
    with pytest.raises(PermissionDenied):
        actions.approve_release(release, by=japan_editor, section=section)
    story = actions.approve_release(
        release, by=japan_editor, section=section, editions=[japan]
    )
    assert list(story.editions.all()) == [japan]


def test_an_unverified_account_cannot_submit(japan: Edition) -> None:
    submitter = make_submitter(verified=False)
    release = make_release(submitter, [japan], submit=False)
    with pytest.raises(PermissionDenied):
        actions.submit_release(release, by=submitter.user)
    page = logged_in(submitter.user).get(reverse("releases:submit"))
    assert b"Confirm your address first" in page.content


def test_an_incomplete_release_is_not_submitted(japan: Edition) -> None:
    submitter = make_submitter()
    client = logged_in(submitter.user)
    page = client.post(
        reverse("releases:submit"),
        form_data([], step="submit", body="", dateline_city=""),
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "Choose at least one edition." in text
    assert "Write the body of the release." in text
    # The draft was kept, so nothing typed is lost; nothing reached the queue.
    assert NewsRelease.objects.filter(status=ReleaseStatus.PENDING).count() == 0


def test_oversized_fields_are_refused_before_anything_is_saved(japan: Edition) -> None:
    client = logged_in(make_submitter().user)
    page = client.post(
        reverse("releases:submit"),
        form_data([japan], headline="h" * 201, body="b" * 30_001, summary="s" * 401),
    )
    assert page.status_code == 200
    text = page.content.decode()
    for label, cap in (("Headline", 200), ("Summary", 400), ("Body", 30000)):
        assert f"{label}: Ensure this value has at most {cap} characters" in text
    assert not NewsRelease.objects.exists()


def test_the_honeypot_saves_nothing(japan: Edition) -> None:
    client = logged_in(make_submitter().user)
    response = client.post(
        reverse("releases:submit"), form_data([japan], nickname="bot", step="submit")
    )
    assert response.status_code == 302
    assert not NewsRelease.objects.exists()


def _image_post(client: Client, japan: Edition, upload: Any, **slot: Any) -> Any:
    return client.post(
        reverse("releases:submit"),
        {
            **form_data([japan]),
            "image1-image": upload,
            "image1-caption": slot.get("caption", "Caption"),
            "image1-credit": slot.get("credit", "Credit"),
            "image1-alt_text": slot.get("alt_text", "Alt text"),
            **({"image1-rights": "on"} if slot.get("rights", True) else {}),
        },
    )


def _named(data: bytes, name: str) -> io.BytesIO:
    out = io.BytesIO(data)
    out.name = name
    return out


@pytest.mark.parametrize(
    ("upload", "slot", "message"),
    [
        (
            lambda: _named(
                b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
                "x.svg",
            ),
            {},
            "SVG images are not accepted.",
        ),
        (
            lambda: _named(
                b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
                "x.png",
            ),
            {},
            "SVG images are not accepted.",
        ),
        (lambda: _gif(), {}, "Images must be JPEG, PNG or WebP."),
        (lambda: _named(b"not an image at all", "x.jpg"), {}, "not a readable"),
        (lambda: png(), {"rights": False}, "Confirm that you hold the rights."),
        (lambda: png(), {"caption": ""}, "Write a caption for the image."),
        (lambda: png(), {"credit": ""}, "Credit the photographer or owner."),
    ],
)
def test_bad_images_are_refused_with_a_clear_error(
    japan: Edition, upload: Any, slot: dict[str, Any], message: str
) -> None:
    client = logged_in(make_submitter().user)
    page = _image_post(client, japan, upload(), **slot)
    assert page.status_code == 200
    assert message in page.content.decode()
    assert not NewsRelease.objects.filter(images__isnull=False).exists()


def _gif() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (900, 600), "red").save(out, "GIF")
    return _named(out.getvalue(), "x.gif")


def test_images_over_the_byte_or_pixel_cap_are_refused(
    japan: Edition, settings: Any
) -> None:
    client = logged_in(make_submitter().user)
    settings.HERALD_RELEASE_IMAGE_MAX_BYTES = 1000
    page = _image_post(client, japan, png())
    assert "larger than 0 MB" in page.content.decode()
    settings.HERALD_RELEASE_IMAGE_MAX_BYTES = 8 * 1024 * 1024
    settings.HERALD_IMAGE_MAX_PIXELS = 1000
    page = _image_post(client, japan, png())
    assert "more than the 1,000 allowed" in page.content.decode()


def test_a_sixth_image_is_refused(japan: Edition) -> None:
    release = make_release(make_submitter(), [japan], submit=False, images=5)
    with pytest.raises(ValidationError, match="at most 5 images"):
        actions.add_image(release, upload=png(), caption="c", credit="c", rights=True)
    page = logged_in(release.submitter.user).get(
        reverse("releases:edit", args=[release.pk])
    )
    assert b"Add an image" not in page.content


def test_submissions_are_rate_limited_per_account(japan: Edition) -> None:
    submitter = make_submitter()
    client = logged_in(submitter.user)
    codes = [
        client.post(
            reverse("releases:submit"), form_data([japan], step="submit")
        ).status_code
        for _ in range(11)
    ]
    assert codes == [302] * 10 + [429]
    assert NewsRelease.objects.filter(status=ReleaseStatus.PENDING).count() == 10
    # The eleventh is kept as a draft, so nothing typed is lost.
    assert NewsRelease.objects.filter(status=ReleaseStatus.DRAFT).count() == 1
