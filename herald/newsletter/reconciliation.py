"""Settling deliveries whose fate is unknown (their worker died or the server's
answer was lost mid-send): from the mail server's record, or by a person's
decision."""

from collections.abc import Callable, Iterable

from django.utils import timezone

from herald.newsletter.models import Delivery, DeliveryStatus, Issue

Resolver = Callable[[str], bool | None]


def reconcile_unknown(issue: Issue, resolver: Resolver) -> dict[str, int]:
    """Settle deliveries whose fate is unknown. `resolver(message_id)` says whether
    the mail server accepted that message (True), did not (False), or cannot tell
    (None: the row stays unknown for a person to decide)."""
    result = {"sent": 0, "requeued": 0, "undecided": 0}
    rows = Delivery.objects.for_issue(issue).unknown()
    for pk, message_id in rows.values_list("pk", "message_id"):
        verdict = resolver(message_id)
        if verdict is True:
            Delivery.objects.filter(pk=pk, status=DeliveryStatus.UNKNOWN).update(
                status=DeliveryStatus.SENT,
                sent_at=timezone.now(),
                last_error="reconciled: the server has it",
            )
            result["sent"] += 1
        elif verdict is False:
            Delivery.objects.filter(pk=pk, status=DeliveryStatus.UNKNOWN).update(
                status=DeliveryStatus.QUEUED, last_error="reconciled: never arrived"
            )
            result["requeued"] += 1
        else:
            result["undecided"] += 1
    return result


def resend_unknown(issue: Issue, ids: Iterable[int] | None = None) -> int:
    """A person decided: send these unknown deliveries again (may duplicate)."""
    rows = Delivery.objects.for_issue(issue).unknown()
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(status=DeliveryStatus.QUEUED, last_error="requeued by staff")
