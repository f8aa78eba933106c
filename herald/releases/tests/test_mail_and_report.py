"""Decision mail goes out through a real SMTP server after commit, a refused mail
leaves the decision standing, and the distribution report shows only recorded facts."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from herald.editions.models import Edition
from herald.newsletter.models import Issue, IssueStatus
from herald.newsletter.tests.sink import free_port, smtp_sink
from herald.releases import actions
from herald.releases.models import Decision, ReleaseStatus
from herald.releases.report import distribution_report
from herald.releases.tests.factories import make_moderator, make_release, make_submitter
from herald.stories import actions as story_actions
from herald.stories.models import Section

# Each test starts a real server on loopback.
pytestmark = pytest.mark.loopback


def _smtp(settings: Any, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5


@pytest.mark.django_db(transaction=True)
def test_decision_mail_reaches_an_smtp_server_with_no_submitter_text_in_headers(
    japan: Edition, section: Section, settings: Any
) -> None:
    with smtp_sink() as (sink, port):
        _smtp(settings, port)
        release = make_release(
            make_submitter(), [japan], headline="Evil\r\nBcc: all@example.org"
        )
        actions.reject_release(
            release, by=make_moderator(), reason="spam", message="Spam.\r\nBcc: x"
        )
        messages = sink.messages()
    assert [str(m["To"]) for m in messages] == ["press@rowing.example.org"] * 2
    assert [str(m["Subject"]) for m in messages] == [
        f"Your news release #{release.pk}: received",
        f"Your news release #{release.pk}: not accepted",
    ]
    assert all(m["Bcc"] is None for m in messages)
    body = messages[1].get_content()
    assert "Reason: Spam." in body and "Spam.\r\nBcc: x" not in str(
        messages[1]["Subject"]
    )


@pytest.mark.slow  # an outage test
@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_is_down_leaves_the_decision_recorded(
    japan: Edition, section: Section, settings: Any, caplog: Any
) -> None:
    _smtp(settings, free_port())  # nothing listens there
    release = make_release(make_submitter(), [japan])
    actions.request_changes(release, by=make_moderator(), message="Add a date.")
    release.refresh_from_db()
    assert release.status == ReleaseStatus.CHANGES_REQUESTED
    assert release.decisions.last().kind == Decision.Kind.CHANGES  # type: ignore[union-attr]
    assert "News release mail failed." in caplog.text


@pytest.mark.django_db
def test_report_marks_a_later_edition_and_a_retraction_and_skips_unsent_issues(
    japan: Edition, india: Edition, section: Section, admin_user: Any
) -> None:
    release = make_release(make_submitter(), [japan])
    story = actions.approve_release(release, by=make_moderator(), section=section)
    # The newsroom adds India afterwards: the time it was added is not recorded.
    story_actions.update_story(story, by=admin_user, editions=[japan, india])
    Issue.objects.create(
        edition=japan,
        local_date=timezone.localdate(),
        subject="Built, not sent",
        contents={"top": [], "sections": {}, "releases": [story.pk]},
        status=IssueStatus.BUILT,
        built_at=timezone.now() + timedelta(minutes=1),
    )
    release.refresh_from_db()
    report = distribution_report(release)
    assert report is not None and report.live
    entered = {e.edition.slug: e.entered_at for e in report.editions}
    assert entered == {"japan-herald": story.public_at, "india-herald": None}
    assert report.issues == []
    story_actions.retract_story(story, by=admin_user, note="Withdrawn by the club.")
    release.refresh_from_db()
    retracted = distribution_report(release)
    assert retracted is not None and not retracted.live
    assert retracted.retracted_at is not None
