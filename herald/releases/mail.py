"""Mail to a submitter about their release, sent after the decision commits."""

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string

from herald.editions.links import edition_origin
from herald.releases.models import Decision, NewsRelease

logger = logging.getLogger(__name__)

SUBJECTS = {
    Decision.Kind.SUBMITTED: "received",
    Decision.Kind.APPROVED: "approved",
    Decision.Kind.EDITED_APPROVED: "approved with edits",
    Decision.Kind.CHANGES: "changes requested",
    Decision.Kind.REJECTED: "not accepted",
    Decision.Kind.PUBLISHED: "published",
}


def status_url(release: NewsRelease) -> str:
    """The submitter's status page, on the first edition the release aims at."""
    edition = release.editions.order_by("position", "pk").first()
    origin = (
        edition_origin(edition)
        if edition is not None
        else f"{settings.HERALD_PUBLIC_SCHEME}://localhost"
    )
    return origin + release.get_absolute_url()


def build_message(release: NewsRelease, kind: str, *, message: str) -> EmailMessage:
    """The mail for `kind`. The subject holds only Herald's own words and the id, so
    no submitter text reaches a header."""
    context = {
        "release": release,
        "kind": kind,
        "kind_label": Decision.Kind(kind).label,
        "message": message,
        "url": status_url(release),
        "release_time": release.story.scheduled_for if release.story else None,
    }
    return EmailMessage(
        subject=f"Your news release #{release.pk}: {SUBJECTS[Decision.Kind(kind)]}",
        body=render_to_string("releases/email/decision.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[release.submitter.user.email],
    )


def mail_submitter(release: NewsRelease, kind: str, *, message: str) -> None:
    """Queue the mail for after commit; a decision that rolls back sends nothing.

    A mail server that refuses or cannot be reached is logged: the decision stands
    and the submitter's status page shows it either way.
    """
    mail = build_message(release, kind, message=message)

    def send() -> None:
        try:
            mail.send()
        except (smtplib.SMTPException, OSError):
            logger.exception(
                "News release mail failed.",
                extra={"release_id": release.pk, "kind": kind},
            )

    transaction.on_commit(send)
