"""`herald seed_demo`: create (or complete) the demo network. Safe to run again."""

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from herald.demo.network import DEMO_PASSWORD, EDITIONS, STORIES_PER_EDITION, seed


class Command(BaseCommand):
    help = "Create the demo network: six editions, staff in every role, ~360 stories."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--stories-per-edition", type=int, default=STORIES_PER_EDITION
        )

    def handle(self, *args: Any, stories_per_edition: int, **options: Any) -> None:
        if stories_per_edition < 6:
            raise CommandError("--stories-per-edition must be at least 6.")
        self.stdout.write("Seeding the demo network...")
        # Each workflow move logs a line; thousands of them would bury the summary.
        logging.getLogger("herald.stories").setLevel(logging.WARNING)
        counts = seed(stories_per_edition=stories_per_edition, out=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"{counts['editions']} editions; "
                f"{counts['stories_added']} stories added."
            )
        )
        self.stdout.write("Editions (while `herald run` serves):")
        for d in EDITIONS:
            self.stdout.write(f"  http://{d.slug}.localhost:8000/")
        self.stdout.write(
            "Desk: http://127.0.0.1:8000/desk/  users admin, editor-japan, "
            "writer-japan "
            f"(and editor-/writer- for india, gulf, canada, east, britain); "
            f"password {DEMO_PASSWORD}"
        )
        self.stdout.write(
            "Wire: four demo sources (RSS, Atom, NewsML-G2, ninjs) read feeds from "
            "herald/demo/feeds/; run `herald ingest --once` to take them in."
        )
