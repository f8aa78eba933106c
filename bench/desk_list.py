"""Benchmark the desk's story list (the admin changelist) at 100,000 stories."""

# For each database, SQLite and then PostgreSQL (the server HERALD_DATABASE_URL
# names, in a throwaway database made there, else a throwaway cluster of Debian's
# binaries on loopback): a fresh temp var dir, `herald migrate`, bench/seed_bulk.py
# and, once for both, `collectstatic`. Then this script, in a second process with
# production settings (`--measure`), signs in an admin and an editor of one edition
# (who sees only the stories that edition originated: StoryQuerySet.editable_by)
# and requests /desk/stories/story/ with Django's test client, in-process: the
# plain list, three filters and a search, each after a warm-up, many times. For
# each case: p50, p95 and max in ms, the SQL queries of a request (count, time, the
# slowest with its plan: EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on
# PostgreSQL). Target: p95 under 300 ms. Writes bench/out/desk_list.json; a missed
# target is reported, not an error (as the other benches), unless --strict.
#
#   .venv/bin/python bench/desk_list.py [--stories 100000] [--requests 50]
#       [--sqlite-only] [--strict]
#
# One database alone, already migrated, seeded (seed.json from seed_bulk.py) and
# with `collectstatic` run:
#   DJANGO_SETTINGS_MODULE=herald.settings HERALD_ENV=production HERALD_VAR_DIR=/tmp/x \
#       HERALD_SECRET_KEY=... .venv/bin/python bench/desk_list.py --measure \
#       --seed /tmp/x/seed.json --out /tmp/x/desk.json

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from common import BENCH, BIN, database_label, herald_env, run_reported, run_step
from measuring import QueryTimer, plan, summary
from postgres_cluster import postgres_cluster, throwaway_database

DEFAULT_OUT = BENCH / "out" / "desk_list.json"
TARGET_P95_MS = 300.0
CHANGELIST = "/desk/stories/story/"
DESK_HOST = "127.0.0.1"
# A word of seed_bulk.py's headlines (and standfirsts): about one story in eight.
SEARCH_WORD = "harbour"
MEASURE_TIMEOUT_S = 1800.0
_PAGINATOR = re.compile(r'<p class="paginator">.*?([\d,]+)\s+stor(?:y|ies)\b', re.S)
_ORIGIN_CELL = re.compile(r'<td class="field-origin_edition[^"]*">([^<]*)</td>')
_ROW = re.compile(r'<th class="field-headline"')


# --- Measuring, in the process that serves the requests -------------------------


def desk_users(edition_id: int) -> dict[str, Any]:
    """An admin and an editor of one edition, made for this run."""
    from herald.accounts.models import User
    from herald.core.roles import Role

    tag = secrets.token_hex(3)
    admin = User.objects.create_superuser(f"bench-admin-{tag}", password=None)
    editor = User(username=f"bench-editor-{tag}", role=Role.EDITOR)
    editor.set_unusable_password()
    editor.save()
    editor.editions.set([edition_id])
    return {"admin": admin, "editor": editor}


def signed_in_client(user: Any) -> Any:
    """A test client with a session for `user`, verified by a second factor too
    where django_otp is installed, so that a desk that asks for one lets it in."""
    from django.apps import apps
    from django.test import Client

    client = Client(HTTP_HOST=DESK_HOST, raise_request_exception=True)
    client.force_login(user)
    if apps.is_installed("django_otp.plugins.otp_static"):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_static.models import StaticDevice

        device = StaticDevice.objects.create(user=user, name="bench", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def label_query(sql: str) -> str:
    """What a changelist query is for, from its SQL."""
    text = sql.upper()
    if "DJANGO_SESSION" in text:
        return "session"
    if "OTP_" in text:
        return "second factor"
    if "AUTH_PERMISSION" in text:
        return "permissions"
    if 'DISTINCT "EDITIONS_EDITION"."TIME_ZONE"' in text:
        return "desk time zone"
    if text.startswith('SELECT "EDITIONS_EDITION"."ID", "EDITIONS_EDITION"."SLUG", '):
        return "edition hosts"
    if "ACCOUNTS_USER_EDITIONS" in text:
        return "the user's editions"
    if "ACCOUNTS_USER" in text:
        return "user"
    if "MIN(" in text and "MAX(" in text:
        return "date_hierarchy range"
    if "DATETIME_TRUNC" in text or "DATE_TRUNC" in text:
        return "date_hierarchy years"
    if "COUNT(" in text:
        return "count"
    if text.startswith(
        ('SELECT "STORIES_STORY"."ID"', 'SELECT DISTINCT "STORIES_STORY"."ID"')
    ):
        return "page of rows"
    if 'FROM "EDITIONS_EDITION"' in text:
        return "filter choices: editions"
    if 'FROM "STORIES_SECTION"' in text:
        return "filter choices: sections"
    return "other"


def one_case(
    client: Any, path: str, warmup: int, requests: int
) -> tuple[list[float], list[QueryTimer], bytes]:
    """Warm up, then time `requests` GETs; their times, queries and last body."""
    from django.db import connection

    body = b""
    for _ in range(warmup):
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}")
    times: list[float] = []
    timers: list[QueryTimer] = []
    for _ in range(requests):
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            started = time.perf_counter()
            response = client.get(path)
            ms = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}")
        times.append(ms)
        timers.append(timer)
        body = response.content
    return times, timers, body


def describe_queries(timers: list[QueryTimer]) -> dict[str, Any]:
    """Query count, SQL time and each query's median time over the requests where
    it ran (a query is its SQL and which time it came in the request, so the two
    counts of an unfiltered list stay apart), slowest first; the slowest with its
    plan, explained with the parameters of its last run."""
    times: dict[tuple[str, int], list[float]] = {}
    last: dict[tuple[str, int], dict[str, Any]] = {}
    for timer in timers:
        seen: dict[str, int] = {}
        for query in timer.queries:
            nth = seen[query["sql"]] = seen.get(query["sql"], 0) + 1
            times.setdefault((query["sql"], nth), []).append(query["ms"])
            last[(query["sql"], nth)] = query
    ranked = sorted(times, key=lambda k: -statistics.median(times[k]))
    described = [
        {
            "ms": round(statistics.median(times[k]), 3),
            "what": label_query(k[0]),
            "ran": f"{len(times[k])}/{len(timers)}",
            "sql": " ".join(k[0].split()),
            "params": [str(p) for p in last[k]["params"] or ()],
        }
        for k in ranked
    ]
    slowest = dict(described[0])
    slowest["plan"] = plan(last[ranked[0]]["sql"], last[ranked[0]]["params"])
    counts = [len(t.queries) for t in timers]
    return {
        "count": int(statistics.median(counts)),
        "count_range": [min(counts), max(counts)],
        "sql_ms_p50": round(statistics.median(t.sql_ms for t in timers), 3),
        "queries": described,
        "slowest": slowest,
    }


def cases(seed: dict[str, Any], word: str) -> list[tuple[str, dict[str, Any]]]:
    from herald.stories.models import Section

    edition_id = seed["editions"][0]["id"]
    section_id = Section.objects.order_by("pk").values_list("pk", flat=True)[0]
    return [
        ("list", {}),
        ("filter status=published", {"status__exact": "published"}),
        ("filter editions=<own edition>", {"edition": edition_id}),
        ("filter primary_section", {"primary_section__id__exact": section_id}),
        (f"search q={word}", {"q": word}),
    ]


def check_page(body: bytes, who: str, own_edition: str) -> dict[str, Any]:
    """The count the paginator shows, the rows on the page and, for the editor,
    that every row is a story of the editor's edition."""
    html = body.decode(errors="replace")
    found = _PAGINATOR.search(html)
    total = int(re.sub(r"\D", "", found.group(1))) if found else None
    origins = {cell.strip() for cell in _ORIGIN_CELL.findall(html)}
    checked = {"result_count": total, "rows": len(_ROW.findall(html))}
    if not checked["rows"]:
        raise SystemExit("the list shows no stories")
    if who == "editor" and origins - {own_edition}:
        raise SystemExit(f"the editor sees other editions' stories: {origins}")
    return checked


def measure(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.db import connection

    from herald.editions.models import Edition

    seed = json.loads(args.seed.read_text())
    edition = Edition.objects.get(pk=seed["editions"][0]["id"])
    users = desk_users(edition.pk)
    result: dict[str, Any] = {
        "vendor": connection.vendor,
        "editor_edition": edition.name,
        "requests": args.requests,
        "warmup": args.warmup,
        "cases": [],
    }
    for who, user in users.items():
        client = signed_in_client(user)
        for name, params in cases(seed, args.search):
            path = CHANGELIST + ("?" + urlencode(params) if params else "")
            print(f"   {who:<7} {name} ({path})", flush=True)
            times, timers, body = one_case(client, path, args.warmup, args.requests)
            stats = summary(times)
            result["cases"].append(
                {
                    "user": who,
                    "case": name,
                    "path": path,
                    "ms": stats,
                    "verdict": "PASS" if stats["p95"] < TARGET_P95_MS else "MISS",
                    **check_page(body, who, edition.name),
                    "sql": describe_queries(timers),
                }
            )
    args.out.write_text(json.dumps(result, indent=1))


# --- The run: databases, setup, the report ---------------------------------------


def run_database(
    label: str,
    database_url: str | None,
    static_root: Path,
    args: argparse.Namespace,
    result: dict[str, Any],
) -> None:
    """Migrate, seed and measure one database, filling `result` as it goes."""
    tmp = Path(tempfile.mkdtemp(prefix=f"herald-desk-{label}-"))
    print(f"\n===== {label}: temp dir {tmp}", flush=True)
    env = herald_env(tmp, secrets.token_urlsafe(40))
    env.pop("HERALD_DATABASE_URL", None)
    if database_url is not None:
        env["HERALD_DATABASE_URL"] = database_url
    env["HERALD_STATIC_ROOT"] = str(static_root)
    result["database"] = database_label(env)
    try:
        setup: dict[str, float] = {}
        setup["migrate_s"] = run_step(
            "migrate", [str(BIN / "herald"), "migrate", "--noinput", "-v0"], env, 300
        )
        seed = tmp / "seed.json"
        seed_cmd = [
            str(BIN / "python"), str(BENCH / "seed_bulk.py"),
            "--stories", str(args.stories), "--editions", str(args.editions),
            "--out", str(seed),
        ]  # fmt: skip
        setup["seed_s"] = run_step(
            f"seed {args.stories} stories", seed_cmd, env, args.seed_timeout
        )
        if not (static_root / "staticfiles.json").exists():
            # Production settings serve static files through a manifest.
            setup["collectstatic_s"] = run_step(
                "collectstatic",
                [str(BIN / "herald"), "collectstatic", "--noinput", "-v0"],
                env,
                300,
            )
        result["setup"] = {k: round(v, 1) for k, v in setup.items()}
        out = tmp / "measured.json"
        measure_cmd = [
            str(BIN / "python"), __file__, "--measure", "--seed", str(seed),
            "--out", str(out), "--requests", str(args.requests),
            "--warmup", str(args.warmup), "--search", args.search,
        ]  # fmt: skip
        run_step("measure the desk's story list", measure_cmd, env, MEASURE_TIMEOUT_S)
        result |= json.loads(out.read_text())
    except BaseException as exc:
        result["error"] = str(exc) or exc.__class__.__name__
        raise
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


PLAN_LINES = 30  # of a plan printed; the JSON report keeps it whole


def print_database(label: str, result: dict[str, Any]) -> None:
    print(f"\n{label}: {result['database']}")
    header = (
        f"{'user':<8}{'case':<31}{'results':>8}{'p50 ms':>8}{'p95 ms':>8}"
        f"{'max ms':>8}{'SQL ms':>8}{'queries':>8}  {'slowest query (p50)':<34}verdict"
    )
    print(header)
    print("-" * len(header))
    for case in result["cases"]:
        ms, sql = case["ms"], case["sql"]
        slowest = f"{sql['slowest']['ms']:.1f} ms {sql['slowest']['what']}"
        low, high = sql["count_range"]
        count = str(low) if low == high else f"{low}-{high}"
        print(
            f"{case['user']:<8}{case['case']:<31}{case['result_count'] or '?':>8}"
            f"{ms['p50']:>8.1f}{ms['p95']:>8.1f}{ms['max']:>8.1f}"
            f"{sql['sql_ms_p50']:>8.1f}{count:>8}  {slowest:<34}"
            f"{case['verdict']}"
        )
    for case in result["cases"]:
        print(f"\n{label}, {case['user']}, {case['case']}: slowest queries (p50)")
        for query in case["sql"]["queries"][:4]:
            done, of = query["ran"].split("/")
            ran = "" if done == of else f" (in {done} of {of} requests)"
            text = query["sql"][:100]
            print(f"  {query['ms']:9.2f} ms  {query['what']:<22} {text}{ran}")
        plan_lines = case["sql"]["slowest"]["plan"]
        print("  plan of the slowest:")
        for line in plan_lines[:PLAN_LINES]:
            print(f"      {line}")
        if len(plan_lines) > PLAN_LINES:
            print(f"      … {len(plan_lines) - PLAN_LINES} more lines in the report")


def benchmark(args: argparse.Namespace, report: dict[str, Any]) -> None:
    report |= {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "options": {
            "stories": args.stories,
            "editions": args.editions,
            "requests": args.requests,
            "warmup": args.warmup,
            "search": args.search,
        },
        "target_p95_ms": TARGET_P95_MS,
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "databases": {},
    }
    if os.getloadavg()[0] > 0.5:
        print(
            f"warning: load average {os.getloadavg()[0]:.2f} before the run: other "
            "processes share these CPUs, so the numbers will be high and noisy",
            flush=True,
        )
    static_root = Path(tempfile.mkdtemp(prefix="herald-desk-static-"))
    try:
        databases = report["databases"]
        run_database(
            "sqlite", None, static_root, args, databases.setdefault("sqlite", {})
        )
        if not args.sqlite_only:
            with postgres_cluster(report) as server:
                if server is not None:
                    with throwaway_database(server) as url:
                        result = databases.setdefault("postgresql", {})
                        run_database("postgresql", url, static_root, args, result)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print(
        f"\nDesk story list ({CHANGELIST}): {args.stories} stories, {args.editions} "
        f"editions, {args.requests} requests a case after {args.warmup} to warm up, "
        f"Django test client in-process, {os.cpu_count()} CPUs, load average "
        f"{report['load_average_before'][0]:.2f} before, "
        f"{report['load_average_after'][0]:.2f} after"
    )
    for label, result in report["databases"].items():
        if "cases" in result:
            print_database(label, result)
    missed = [
        f"{label} {case['user']} {case['case']} (p95 {case['ms']['p95']:.0f} ms)"
        for label, result in report["databases"].items()
        for case in result.get("cases", [])
        if case["verdict"] != "PASS"
    ]
    report["missed"] = missed
    print(
        f"\ntarget p95 < {TARGET_P95_MS:.0f} ms: "
        + (f"MISSED by {len(missed)}: " + "; ".join(missed) if missed else "met")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--editions", type=int, default=10)
    parser.add_argument("--requests", type=int, default=50, help="timed, per case")
    parser.add_argument("--warmup", type=int, default=3, help="untimed, per case")
    parser.add_argument("--search", default=SEARCH_WORD, help="the search's ?q=")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--seed-timeout", type=float, default=1800.0)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON report")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when a case misses the target"
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the temp var dirs (SQLite database, seed.json); PostgreSQL's "
        "throwaway database and cluster are removed all the same",
    )
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=Path, help="seed.json (with --measure)")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.warmup < 0:
        parser.error("--requests must be at least 1 and --warmup at least 0")
    if args.measure:
        if args.seed is None:
            parser.error("--measure needs --seed")
        measure(args)
        return 0
    if args.stories < 1 or args.editions < 1:
        parser.error("--stories and --editions must be at least 1")

    report = run_reported(args.out, lambda report: benchmark(args, report))
    return 1 if args.strict and report["missed"] else 0


if __name__ == "__main__":
    sys.exit(main())
