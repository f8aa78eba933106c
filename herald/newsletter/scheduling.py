"""What the worker's sweep does for the newsletter: build the issues that are due,
and make sure every issue with sendable deliveries has a send queued."""

import logging
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from herald.newsletter.models import DeliveryStatus, Issue, IssueStatus

logger = logging.getLogger(__name__)


def sweep_newsletters(now: datetime | None = None) -> int:
    """Build due issues and queue sends; returns how many sends were queued."""
    from herald.newsletter.building import due_issues
    from herald.newsletter.tasks import send_issue_task

    now = now or timezone.now()
    queued = 0
    for issue in due_issues(now):
        send_issue_task.enqueue(issue_id=issue.pk)
        queued += 1
    # A send whose worker died leaves claimable rows and no live lease: queue it again.
    stalled = (
        Issue.objects.filter(status=IssueStatus.SENDING)
        .filter(
            Q(deliveries__status=DeliveryStatus.QUEUED)
            | Q(
                deliveries__status=DeliveryStatus.DEFERRED,
                deliveries__next_attempt_at__lte=now,
            )
        )
        .exclude(deliveries__lease_expires_at__gt=now)
        .distinct()
    )
    for issue in stalled:
        send_issue_task.enqueue(issue_id=issue.pk)
        queued += 1
    return queued
