"""Prepare the newsletter benchmark: confirmed subscribers with sections and a built
issue, on a database already seeded by bench/seed_bulk.py."""

# Run by bench/newsletter.py in a subprocess whose environment names the database:
#   .venv/bin/python bench/newsletter_setup.py --subscribers 100000 --out issue.json
# Spreads some seeded stories over the 24 hours the issue covers (seed_bulk.py
# spreads them over a year), so that the issue is a full digest, then builds it
# with herald.newsletter.building.build_issue.

import argparse
import json
import random
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import django

SUBSCRIBER_BATCH = 5000


def write_sample(issue: Any, path: Path) -> int:
    """Render the issue for 200 subscriptions spread evenly over all of them with
    the engine's own render and keep the message closest to their mean size: the
    bare sender's template. (The first 200 alone are not a fair sample: their mean
    was 8% above that of the whole issue.)"""
    from herald.newsletter import sending
    from herald.newsletter.models import Delivery, Subscription

    subscriptions = Subscription.objects.filter(edition=issue.edition)
    ids = list(subscriptions.order_by("pk").values_list("pk", flat=True))
    chosen = ids[:: max(1, len(ids) // 200)][:200]
    rendered = []
    for sub in subscriptions.filter(pk__in=chosen).select_related("subscriber"):
        delivery = Delivery(
            issue=issue,
            subscription=sub,
            email=sub.subscriber.email,
            message_id=f"<sample.{sub.pk}@bench-1.herald.test>",
        )
        rendered.append(sending.default_render(delivery)[1].raw)
    mean = sum(map(len, rendered)) / len(rendered)
    sample = min(rendered, key=lambda m: abs(len(m) - mean))
    path.write_bytes(sample)
    return len(sample)


def setup(subscribers: int, fresh: int, rng: random.Random) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone

    from herald.editions.models import Edition
    from herald.newsletter.building import build_issue, build_time
    from herald.newsletter.models import (
        Issue,
        IssueStatus,
        Subscriber,
        Subscription,
        SubscriptionStatus,
    )
    from herald.stories.models import Section, Story

    started = time.monotonic()
    edition = Edition.objects.order_by("pk").first()
    assert edition is not None, "seed the database first (bench/seed_bulk.py)"
    now = timezone.now()
    local_date = now.astimezone(ZoneInfo(edition.time_zone)).date()
    at = build_time(edition, local_date)
    start, end = at - timedelta(hours=24), min(at, now)
    ids = list(
        Story.objects.filter(editions=edition, status="published")
        .order_by("-pk")
        .values_list("pk", flat=True)[: fresh * 3]
    )
    span = (end - start).total_seconds() - 120
    for pk in rng.sample(ids, min(fresh, len(ids))):
        when = start + timedelta(seconds=60 + rng.uniform(0, span))
        Story.objects.filter(pk=pk).update(published_at=when, modified_at=when)

    sections = list(Section.objects.values_list("pk", flat=True))
    through = Subscription.sections.through
    made = 0
    while made < subscribers:
        size = min(SUBSCRIBER_BATCH, subscribers - made)
        with transaction.atomic():
            people = Subscriber.objects.bulk_create(
                Subscriber(email=f"reader{n}@bench.example.org")
                for n in range(made, made + size)
            )
            subs = Subscription.objects.bulk_create(
                Subscription(
                    subscriber=person,
                    edition=edition,
                    status=SubscriptionStatus.CONFIRMED,
                    confirmed_at=now,
                )
                for person in people
            )
            rows = []
            for sub in subs:
                # Three in ten want every section; the rest pick one to three.
                if rng.random() < 0.3:
                    continue
                for section_id in rng.sample(sections, rng.randint(1, 3)):
                    rows.append(through(subscription_id=sub.pk, section_id=section_id))
            through.objects.bulk_create(rows)
        made += size
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    issue: Issue = build_issue(edition, local_date)
    assert issue.status == IssueStatus.BUILT, f"the issue was {issue.status}"
    contents = issue.contents
    return {
        "issue_id": issue.pk,
        "edition": edition.slug,
        "local_date": local_date.isoformat(),
        "subject": issue.subject,
        "top": len(contents.get("top", [])),
        "section_stories": {k: len(v) for k, v in contents["sections"].items()},
        "releases": len(contents.get("releases", [])),
        "subscribers": made,
        "seconds": round(time.monotonic() - started, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--fresh", type=int, default=60, help="stories in the issue")
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--sample", type=Path, required=True, help="a rendered .eml")
    args = parser.parse_args(argv)
    django.setup()
    summary = setup(args.subscribers, args.fresh, random.Random(args.seed))
    from herald.newsletter.models import Issue

    issue = Issue.objects.select_related("edition").get(pk=summary["issue_id"])
    summary["sample_bytes"] = write_sample(issue, args.sample)
    args.out.write_text(json.dumps(summary, indent=1))
    print(f"setup: {json.dumps(summary)}", flush=True)


if __name__ == "__main__":
    main()
