"""Queued work for the newsletter: thin adapters that take ids."""

from django_tasks import task

from herald.newsletter import sending
from herald.newsletter.models import Issue


@task()
def send_issue_task(issue_id: int) -> dict[str, int]:
    """Send what can be sent now; queue itself again for the next retry time.
    Safe to run twice, and beside other workers: deliveries are claimed."""
    issue = Issue.objects.select_related("edition").filter(pk=issue_id).first()
    if issue is None:
        return {}
    report = sending.send_issue(issue)
    retry_at = sending.next_retry_at(issue)
    if retry_at is not None:
        send_issue_task.using(run_after=retry_at).enqueue(issue_id=issue_id)
    return report.counts
