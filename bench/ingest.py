"""Wire ingest throughput: items per second end to end, text only and with a
picture per item, and peak memory."""

# `herald migrate` and bench/seed_bulk.py fill a throwaway SQLite database (or the
# PostgreSQL database HERALD_DATABASE_URL names) with 100,000 published stories.
# Then this script, in one process with one fetch thread, writes RSS documents of
# wire items into a drop folder (a quarter of them another agency's rewrite of an
# earlier item, a tenth a newer version of one) and times `poll_sources` over them:
# parse, store, cluster (MinHash, LSH bands in the database), route and create the
# stories. A second poll of the same documents measures the idempotent path.
#
# Then, on SQLite, it measures again from the pristine copy of the seeded database
# with the same items, each carrying one picture (an RSS image enclosure naming
# its own URL, /p/<guid>.jpg). A poll does no picture work itself: once it has
# stored the items it queues one task (herald.ingest.tasks.fetch_wire_pictures_task)
# naming its new stories that want pictures. So this measurement gives two figures,
# both in the one measuring process: the polls, timed as text-only is (they should
# run about as fast, as they only queue), and then the picture work, timed as
# `herald worker --batch` running the queued tasks to completion: the picture task
# fetches each new story's picture with the safe fetcher and attaches it
# (herald/ingest/pictures.py: decode, re-encode, renditions), and the tasks that
# queues in turn (and those the polls queued: related stories, search) run as well,
# each kind timed on its own through django-tasks' task_started/task_finished
# signals. The pictures, one 1200x800 JPEG of about 220 KB made once with Pillow,
# come from an HTTP server on 127.0.0.1 in a thread of this script's process, not
# of the measured one, so serving them costs the measured CPU nothing; the measured
# process gets HERALD_FETCH_ALLOWED_ADDRESSES=127.0.0.1 and writes the pictures'
# files under DIR/bench-media. The report gives the polls, the picture work
# (seconds, CPU seconds, pictures per second, CPU ms a picture, the pictures
# attached against the stories made, and the picture problems the task added to
# the polls' logs), and end to end (the first poll and the picture work) with its
# ratio to text-only. Writes bench/out/ingest.json; a missed target is reported,
# not an error; pictures attached to fewer (or more) than the stories made, give
# or take 1%, end the run with an error after the report.
#
#   .venv/bin/python bench/ingest.py [--stories 100000] [--items 5000] [--keep DIR]
#                                    [--no-pictures]
#
# With --keep DIR a second run reuses DIR's seeded SQLite database: a pristine
# copy taken after seeding replaces what the last measurement added. --no-pictures
# skips the measurement with pictures (so does PostgreSQL, which has no pristine
# copy to measure from again).

import argparse
import io
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast
from xml.sax.saxutils import escape, quoteattr

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
TARGET = 500  # items per second on one core


def _vocabulary(size: int = 4000) -> tuple[list[str], list[float]]:
    """Pseudo-words with Zipf weights, so unrelated items share few word pairs,
    as real news copy does (a 60-word list makes every item a candidate)."""
    rng = random.Random(7)
    letters = "abcdefghiklmnoprstuvwy"
    words = sorted(
        {"".join(rng.choice(letters) for _ in range(rng.randint(3, 10)))
         for _ in range(size)}
    )  # fmt: skip
    return words, [1 / (rank + 1) for rank in range(len(words))]


WORDS, WEIGHTS = _vocabulary()
CITIES = [
    ("Tokyo", "Japan"),
    ("Mumbai", "India"),
    ("Dubai", "United Arab Emirates"),
    ("Toronto", "Canada"),
    ("London", "United Kingdom"),
    ("Nairobi", "Kenya"),
]


def _sentence(rng: random.Random, n: int = 14) -> str:
    return " ".join(rng.choices(WORDS, WEIGHTS, k=n)).capitalize() + "."


def _rewrite(rng: random.Random, text: str) -> str:
    """Another agency's telling: most words kept, some swapped, order nudged."""
    words = text.split()
    for _ in range(len(words) // 6):
        words[rng.randrange(len(words))] = rng.choices(WORDS, WEIGHTS)[0]
    return " ".join(words)


def make_items(count: int, rng: random.Random) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for i in range(count):
        roll = rng.random()
        if items and roll < 0.25:
            base = rng.choice(items)
            body = _rewrite(rng, base["body"])
            items.append({**base, "guid": f"w-{i}", "body": body, "version": 1})
        elif items and roll < 0.35:
            base = rng.choice(items)
            body = base["body"] + " " + _sentence(rng)
            items.append({**base, "body": body, "version": base["version"] + 1})
        else:
            city, country = rng.choice(CITIES)
            body = " ".join(_sentence(rng) for _ in range(8))
            items.append(
                {
                    "guid": f"w-{i}",
                    "headline": _sentence(rng, 8)[:-1],
                    "body": body,
                    "city": city,
                    "country": country,
                    "version": 1,
                }
            )
    return items


def write_feeds(
    folder: Path,
    items: list[dict[str, Any]],
    per_file: int,
    *,
    pictures: str = "",
    picture_bytes: int = 0,
) -> None:
    """Documents of `per_file` items; newer versions come in later documents, as a
    feed that is polled again would bring them. With `pictures` (a base URL) each
    item names one picture, `pictures`/p/<guid>.jpg, in an image enclosure: the
    RSS reader's (herald/ingest/sources/rss.py) first choice."""
    folder.mkdir(parents=True, exist_ok=True)
    # A kept folder may hold the documents of a run with more items.
    for stale in folder.glob("feed-*.xml"):
        stale.unlink()
    items = sorted(items, key=lambda item: item["version"])
    for n in range(0, len(items), per_file):
        parts = ['<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                 "<title>Bench wire</title>"]  # fmt: skip
        for k, item in enumerate(items[n : n + per_file]):
            minute = (n + k) % 60
            enclosure = ""
            if pictures:
                url = quoteattr(f"{pictures}/p/{item['guid']}.jpg")
                enclosure = (
                    f'<enclosure url={url} type="image/jpeg" length="{picture_bytes}"/>'
                )
            parts.append(
                f"<item><title>{escape(item['headline'])}</title>"
                f'<guid isPermaLink="false">{item["guid"]}</guid>'
                f"<pubDate>Tue, 10 Mar 2026 {10 + item['version']:02d}:{minute:02d}:00"
                " +0200</pubDate><description>"
                + escape(
                    f"<p>{item['city'].upper()}, {item['country']}: {item['body']}</p>"
                )
                + f"</description>{enclosure}</item>"
            )
        parts.append("</channel></rss>")
        (folder / f"feed-{n // per_file:04d}.xml").write_text("".join(parts))


# --- the pictures' server (in this process, not the measured one) ---------------
def picture_jpeg() -> bytes:
    """One 1200×800 JPEG at quality 85, about 220 KB: smooth colour with grain, so
    it encodes (and decodes) like a photograph, not like a flat test card."""
    from PIL import Image

    rng = random.Random(2026)
    width, height = 1200, 800
    colour = Image.merge(
        "RGB",
        [
            Image.frombytes("L", (150, 100), rng.randbytes(150 * 100)).resize(
                (width, height), Image.Resampling.BICUBIC
            )
            for _ in range(3)
        ],
    )
    grain = Image.frombytes("L", (width, height), rng.randbytes(width * height))
    grain = grain.point(lambda v: 118 + v // 16)
    photo = Image.blend(colour, Image.merge("RGB", [grain] * 3), 0.25)
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=85)
    return out.getvalue()


class PictureServer(ThreadingHTTPServer):
    """Answers every GET /p/<name>.jpg with the same JPEG; counts what it served."""

    daemon_threads = True

    def __init__(self, body: bytes) -> None:
        super().__init__(("127.0.0.1", 0), _PictureHandler)
        self.body = body
        self.served = 0
        self.refused = 0
        self.lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _PictureHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        server = cast(PictureServer, self.server)
        path = self.path.split("?", 1)[0]
        if not (path.startswith("/p/") and path.endswith(".jpg")):
            with server.lock:
                server.refused += 1
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(len(server.body)))
        self.end_headers()
        self.wfile.write(server.body)
        with server.lock:
            server.served += 1

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a line per picture on stderr would drown the report


@contextmanager
def picture_server(body: bytes) -> Iterator[PictureServer]:
    server = PictureServer(body)
    thread = threading.Thread(target=server.serve_forever, name="pictures")
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def run(cmd: list[str], env: dict[str, str]) -> float:
    start = time.monotonic()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True)
    return time.monotonic() - start


def _checkpoint(database: Path) -> None:
    """Fold the WAL into the database file, so a copy of the file is whole."""
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _calibration_ms() -> float:
    """CPU milliseconds of a fixed piece of pure-Python work (strings, dicts, a
    sort), best of 3: how fast this machine is at the moment. On the project's
    shared machine the same ingest code has run anywhere from 250 to 530 items a
    CPU second within one afternoon, and this figure moves with it."""
    best = float("inf")
    for _ in range(3):
        start = _cpu()
        table: dict[str, int] = {}
        for i in range(200_000):
            key = f"word-{i % 4999}"
            table[key] = table.get(key, 0) + len(key)
        sorted(table.items(), key=lambda pair: (pair[1], pair[0]))
        best = min(best, _cpu() - start)
    return round(best * 1000, 1)


PICTURE_TASK = "herald.ingest.tasks.fetch_wire_pictures_task"


def measure(folder: Path, items: int, *, run_tasks: bool = False) -> dict[str, Any]:
    """In this process: create the source, poll it twice, report the figures; with
    `run_tasks`, then run the queued tasks to completion and report those too."""
    import django

    django.setup()
    from django.db import connection

    from herald.editions.models import Edition
    from herald.ingest import polling
    from herald.ingest.models import FetchLog, Source, WireItem
    from herald.stories.models import Picture, Section, Story, StoryImage

    source = Source.objects.create(
        name="Bench wire",
        slug="bench-wire",
        format="rss",
        drop_folder=str(folder),
        agency="Bench Agency",
        auto_publish=True,
    )
    source.default_editions.set(Edition.objects.order_by("pk")[:1])
    source.default_sections.set(Section.objects.order_by("pk")[:1])
    stories_before = Story.objects.count()
    last_story = Story.objects.order_by("-pk").values_list("pk", flat=True).first()
    images_before = StoryImage.objects.count()
    pictures_before = Picture.objects.count()
    calibration_before = _calibration_ms()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu_start = _cpu()
    start = time.perf_counter()
    first = polling.poll_sources([source])[0]
    elapsed = time.perf_counter() - start
    cpu = _cpu() - cpu_start
    calibration_after = _calibration_ms()
    Source.objects.filter(pk=source.pk).update(lease_until=None)
    start = time.perf_counter()
    second = polling.poll_sources([source])[0]
    repoll = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    stories_made = Story.objects.count() - stories_before
    result: dict[str, Any] = {
        "database": connection.vendor,
        "stories_before": stories_before,
        "items": items,
        "new": first.new,
        "updated": first.updated,
        "ignored": first.ignored,
        "outcome": first.outcome,
        "first_warning": first.message.splitlines()[0] if first.message else "",
        "wire_items": WireItem.objects.count(),
        "stories_made": stories_made,
        "duplicates": WireItem.objects.filter(state="duplicate").count(),
        "seconds": round(elapsed, 2),
        "items_per_second": round(items / elapsed, 1),
        # CPU seconds of this process (all its threads): the figure that does not
        # depend on what else the machine runs.
        "cpu_seconds": round(cpu, 2),
        "items_per_cpu_second": round(items / cpu, 1),
        "repoll_seconds": round(repoll, 2),
        "repoll_items_per_second": round(items / repoll, 1),
        "repoll_ignored": second.ignored,
        "peak_rss_mb_before": round(rss_before / 1024, 1),
        "peak_rss_mb": round(peak / 1024, 1),
        # The machine's speed just before and just after the timed poll (lower is
        # faster); compare runs only where these are alike.
        "calibration_ms": [calibration_before, calibration_after],
        "target_items_per_second": TARGET,
        "met": items / elapsed >= TARGET,
        # What the polls left queued for a worker, by task.
        "tasks_queued": _ready_tasks(),
    }
    if not run_tasks:
        return result
    work = run_queued_tasks()
    made = Story.objects.filter(pk__gt=last_story or 0)
    attached = StoryImage.objects.count() - images_before
    # The problems the picture task added to the polls' logs: a line per picture
    # ("item 'w-12': Picture 1 (http://...): ..."). A log keeps 50 lines at most,
    # so where one is full the count is a floor; stories_without_pictures is not.
    logs = FetchLog.objects.filter(source=source)
    messages = list(logs.values_list("message", flat=True))
    lines = [
        line
        for message in messages
        for line in message.splitlines()
        if line.startswith("item ") and "Picture" in line
    ]
    full = any(len(message.splitlines()) >= 50 for message in messages)
    with_pictures = made.filter(images__isnull=False).distinct().count()
    seconds, task_cpu = work.pop("seconds"), work.pop("cpu_seconds")
    picture_task = work["tasks_run"].get(PICTURE_TASK, {})
    result["picture_work"] = {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(task_cpu, 2),
        "pictures_attached": attached,
        "stories_made": stories_made,
        "stories_with_pictures": with_pictures,
        "stories_without_pictures": stories_made - with_pictures,
        "library_pictures": Picture.objects.count() - pictures_before,
        "pictures_per_second": round(attached / seconds, 1) if seconds else None,
        "cpu_ms_per_picture": round(1000 * task_cpu / attached, 1)
        if attached
        else None,
        # The picture task alone, without the related-stories and search tasks
        # that ran in the same worker run.
        "picture_task_seconds": picture_task.get("seconds", 0.0),
        "picture_task_cpu_ms_per_picture": round(
            1000 * picture_task.get("cpu_seconds", 0.0) / attached, 1
        )
        if attached
        else None,
        "problems": len(lines),
        "problems_may_be_more": full,
        "first_problem": lines[0] if lines else "",
        "log_outcomes": dict(Counter(logs.values_list("outcome", flat=True))),
        "pictures_stored_in_library": sum(
            logs.values_list("pictures_stored", flat=True)
        ),
        **work,
        "peak_rss_mb": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        ),
        "calibration_ms": _calibration_ms(),  # just after the picture work
    }
    return result


def _ready_tasks() -> dict[str, int]:
    """The queued tasks a worker would run now, by task."""
    from django_tasks_db.models import DBTaskResult

    paths = DBTaskResult.objects.ready().values_list("task_path", flat=True)
    return dict(Counter(paths))


def run_queued_tasks() -> dict[str, Any]:
    """`herald worker --batch` in this process: every queued task (and those they
    queue) run to completion. Its seconds and CPU seconds, and each kind of task's
    own, taken from django-tasks' task_started and task_finished signals."""
    from django.core.management import call_command
    from django_tasks import TaskResult, TaskResultStatus
    from django_tasks.signals import task_finished, task_started

    kinds: dict[str, dict[str, Any]] = {}
    running: dict[str, tuple[float, float]] = {}
    failures: list[str] = []

    def started(sender: Any, task_result: TaskResult[Any], **kwargs: Any) -> None:
        running[task_result.id] = (time.perf_counter(), _cpu())

    def finished(sender: Any, task_result: TaskResult[Any], **kwargs: Any) -> None:
        begun, cpu_begun = running.pop(task_result.id, (time.perf_counter(), _cpu()))
        kind = kinds.setdefault(
            task_result.task.module_path,
            {"count": 0, "seconds": 0.0, "cpu_seconds": 0.0, "failed": 0},
        )
        kind["count"] += 1
        kind["seconds"] += time.perf_counter() - begun
        kind["cpu_seconds"] += _cpu() - cpu_begun
        if task_result.status == TaskResultStatus.FAILED:
            kind["failed"] += 1
            error = task_result.errors[-1] if task_result.errors else None
            failures.append(
                f"{task_result.task.module_path}: "
                f"{error.exception_class_path if error else 'failed'}"
            )

    task_started.connect(started, weak=False, dispatch_uid="bench.started")
    task_finished.connect(finished, weak=False, dispatch_uid="bench.finished")
    try:
        cpu_start, start = _cpu(), time.perf_counter()
        call_command("worker", "--batch", verbosity=0)
        seconds, cpu = time.perf_counter() - start, _cpu() - cpu_start
    finally:
        task_started.disconnect(dispatch_uid="bench.started")
        task_finished.disconnect(dispatch_uid="bench.finished")
    for kind in kinds.values():
        kind["seconds"] = round(kind["seconds"], 2)
        kind["cpu_seconds"] = round(kind["cpu_seconds"], 2)
    in_tasks = sum(kind["seconds"] for kind in kinds.values())
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "tasks_run": dict(sorted(kinds.items())),
        # The worker's start-up sweep and its polling of the queue.
        "seconds_outside_tasks": round(seconds - in_tasks, 2),
        "tasks_failed": len(failures),
        "first_task_failure": failures[0] if failures else "",
        "tasks_left": sum(_ready_tasks().values()),
    }


def _measure_in_child(
    feeds: Path, items: int, env: dict[str, str], *, run_tasks: bool = False
) -> dict[str, Any]:
    """`measure` in a fresh process (its own peak RSS and CPU seconds)."""
    out = subprocess.run(
        [sys.executable, __file__, "--measure", str(feeds), "--items", str(items)]
        + (["--run-tasks"] if run_tasks else []),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        sys.stderr.write(out.stderr)
        out.check_returncode()
    return cast(dict[str, Any], json.loads(out.stdout.strip().splitlines()[-1]))


def _restore(work: Path, env: dict[str, str]) -> float:
    """Replace DIR's SQLite database with the pristine copy and bring it to this
    tree's schema (it may have been seeded by an earlier tree): the migration's
    seconds."""
    database = work / "herald.sqlite3"
    for stale in (database, work / "herald.sqlite3-wal", work / "herald.sqlite3-shm"):
        stale.unlink(missing_ok=True)
    shutil.copyfile(work / "pristine.sqlite3", database)
    return run([sys.executable, "-m", "herald", "migrate", "-v0"], env)


def measure_pictures(
    work: Path,
    items: list[dict[str, Any]],
    per_file: int,
    env: dict[str, str],
    text_only: dict[str, Any],
) -> dict[str, Any]:
    """From the pristine database again: the same items, each with one picture."""
    migrate_s = _restore(work, env)
    media = work / "bench-media"
    shutil.rmtree(media, ignore_errors=True)
    jpeg = picture_jpeg()
    feeds = work / "feeds-pictures"
    env = {
        **env,
        "HERALD_WIRE_PICTURES": "true",
        "HERALD_FETCH_ALLOWED_ADDRESSES": "127.0.0.1",
        "HERALD_MEDIA_ROOT": str(media),
    }
    with picture_server(jpeg) as server:
        write_feeds(
            feeds, items, per_file, pictures=server.base_url, picture_bytes=len(jpeg)
        )
        os.sync()  # the restored copy and the feeds: before the timed poll
        result = _measure_in_child(feeds, len(items), env, run_tasks=True)
        served, refused = server.served, server.refused
    for key in ("target_items_per_second", "met", "database", "stories_before"):
        result.pop(key)
    done = result["picture_work"]
    attached, made = done["pictures_attached"], done["stories_made"]
    # The first poll and the picture work after it: what a story with its picture
    # costs, from the feed to the page.
    seconds = result["seconds"] + done["seconds"]
    cpu = result["cpu_seconds"] + done["cpu_seconds"]
    per_second = len(items) / seconds
    return {
        **result,
        "migrate_s": round(migrate_s, 2),
        "picture_bytes": len(jpeg),
        "picture_size": "1200x800 JPEG, quality 85",
        "pictures_served": served,
        "requests_refused": refused,
        # One picture per story made, give or take 1%.
        "pictures_match_stories": abs(attached - made) <= max(1, made // 100),
        "same_outcome_as_text_only": all(
            result[key] == text_only[key]
            for key in ("new", "updated", "stories_made", "duplicates")
        ),
        "ratio_items_per_second": round(
            result["items_per_second"] / text_only["items_per_second"], 3
        ),
        "ratio_items_per_cpu_second": round(
            result["items_per_cpu_second"] / text_only["items_per_cpu_second"], 3
        ),
        "end_to_end": {
            "seconds": round(seconds, 2),
            "items_per_second": round(per_second, 1),
            "cpu_seconds": round(cpu, 2),
            "items_per_cpu_second": round(len(items) / cpu, 1),
            "ratio_items_per_second": round(
                per_second / text_only["items_per_second"], 3
            ),
        },
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--per-file", type=int, default=500)
    parser.add_argument("--keep", type=Path, help="reuse this seeded folder")
    parser.add_argument(
        "--no-pictures",
        action="store_true",
        help="skip the measurement with one picture per item",
    )
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--run-tasks", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        result = measure(args.measure, args.items, run_tasks=args.run_tasks)
        print(json.dumps(result))
        return
    work = args.keep or Path(tempfile.mkdtemp(prefix="herald-bench-ingest-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "herald.settings",
        "HERALD_ENV": "development",
        "HERALD_INGEST_CONCURRENCY": "1",
        "HERALD_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    if "HERALD_DATABASE_URL" not in os.environ:
        env["HERALD_VAR_DIR"] = str(work)
    setup: dict[str, float] = {}
    sqlite = "HERALD_DATABASE_URL" not in os.environ
    database, pristine = work / "herald.sqlite3", work / "pristine.sqlite3"
    if not (work / "seed.json").exists():
        py = sys.executable
        setup["migrate_s"] = run([py, "-m", "herald", "migrate", "-v0"], env)
        setup["seed_s"] = run(
            [py, str(BENCH / "seed_bulk.py"), "--stories", str(args.stories),
             "--out", str(work / "seed.json")],
            env,
        )  # fmt: skip
        if sqlite:
            # A copy of the seeded database, so `--keep` measures from it again.
            _checkpoint(database)
            shutil.copyfile(database, pristine)
    elif sqlite and pristine.exists():
        setup["migrate_s"] = _restore(work, env)
    feeds = work / "feeds"
    items = make_items(args.items, random.Random(2026))
    write_feeds(feeds, items, args.per_file)
    # The copied database (about 450 MB) and the feeds are still being written
    # back to disk: done before the timed poll, not during it.
    os.sync()
    result = _measure_in_child(feeds, len(items), env)
    result["setup"] = setup
    result["python"] = sys.version.split()[0]
    (BENCH / "out").mkdir(exist_ok=True)
    report = BENCH / "out" / "ingest.json"
    report.write_text(json.dumps(result, indent=1))  # kept if the next one fails
    if args.no_pictures:
        result["with_pictures"] = {"skipped": "--no-pictures"}
    elif not (sqlite and pristine.exists()):
        result["with_pictures"] = {
            "skipped": "needs the pristine copy of a seeded SQLite database"
        }
    else:
        result["with_pictures"] = measure_pictures(
            work, items, args.per_file, env, result
        )
    report.write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    verdict = "met" if result["met"] else "MISSED"
    print(
        f"ingest: {result['items_per_second']} items/s end to end "
        f"({result['items_per_cpu_second']} per CPU second) into "
        f"{result['stories_before']} stories (target {TARGET}: {verdict}); "
        f"peak RSS {result['peak_rss_mb']} MB; calibration "
        f"{'/'.join(str(ms) for ms in result['calibration_ms'])} ms"
    )
    pictures = result["with_pictures"]
    if "skipped" in pictures:
        print(f"ingest with pictures: skipped ({pictures['skipped']})")
        return
    done, end = pictures["picture_work"], pictures["end_to_end"]
    print(
        f"ingest with pictures: polls {pictures['items_per_second']} items/s "
        f"({pictures['items_per_cpu_second']} per CPU second), "
        f"{pictures['ratio_items_per_second']} × text only; picture work "
        f"{done['seconds']} s, {done['cpu_seconds']} CPU s "
        f"({done['pictures_per_second']} pictures/s, {done['cpu_ms_per_picture']} "
        f"CPU ms a picture), {done['pictures_attached']} pictures attached, "
        f"{done['stories_made']} stories made, {done['problems']} picture problems, "
        f"{done['tasks_failed']} tasks failed; end to end {end['items_per_second']} "
        f"items/s, {end['ratio_items_per_second']} × text only; peak RSS "
        f"{done['peak_rss_mb']} MB; calibration "
        f"{'/'.join(str(ms) for ms in pictures['calibration_ms'])}"
        f"/{done['calibration_ms']} ms"
    )
    if not pictures["pictures_match_stories"]:
        sys.exit(
            f"ingest with pictures: {done['pictures_attached']} pictures attached "
            f"to {done['stories_made']} new stories; expected one each (first "
            f"problem: {done['first_problem'] or done['first_task_failure'] or 'none'})"
        )


if __name__ == "__main__":
    main()
