"""Queued work of the shared kernel: sending purges of keys to the caching proxies,
with retries."""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from herald.core import purge

logger = logging.getLogger(__name__)


def queue_purge_everywhere(keys: list[str]) -> None:
    """Queue the purge of `keys` on every proxy: one job, one request each."""
    for target in purge.get_backend().targets():
        purge_keys_task.enqueue(target=target, keys=keys, attempt=1)


@task()
def purge_keys_task(target: str, keys: list[str], attempt: int) -> bool:
    """Purge `keys` on `target`; after a failure, queue the next try with a growing
    wait. Safe to run twice: purging what is gone drops nothing."""
    try:
        purge.purge_now(target, keys)
    except purge.PurgeError as exc:
        if attempt >= settings.HERALD_PURGE_ATTEMPTS:
            logger.error(
                "Purge given up; the pages expire by s-maxage instead.",
                extra={"target": target, "attempts": attempt, "error": str(exc)},
            )
            return False
        delay = purge.retry_delay(attempt)
        logger.warning(
            "Purge failed; trying again.",
            extra={"target": target, "attempt": attempt, "delay": delay},
        )
        at = timezone.now() + timedelta(seconds=delay)
        purge_keys_task.using(run_after=at).enqueue(
            target=target, keys=keys, attempt=attempt + 1
        )
        return False
    return True
