"""Measure search, related stories or sitemaps in-process on a seeded database."""

# bench/discovery.py runs one phase per process (so that the sitemaps' max RSS is
# theirs alone) with production settings and the render cache off; alone:
#   DJANGO_SETTINGS_MODULE=herald.settings HERALD_VAR_DIR=/tmp/x \
#       .venv/bin/python bench/discovery_measure.py search --seed /tmp/x/seed.json \
#       --out /tmp/x/search.json

import argparse
import cProfile
import json
import random
import re
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import django
from measuring import (
    QueryTimer,
    max_rss_mib,
    profile_lines,
    slowest_sql,
    summary,
    timed,
)

SEARCH_QUERIES = {  # category: how many timed queries of it
    "common word": 40,
    "rare word": 30,
    "two words": 30,
    "phrase": 30,
    "prefix": 25,
    "section filter": 25,
    "date range": 20,
    "no match": 10,
}
WARMUP_QUERIES = 30
VIEW_QUERIES = 50
RELATED_STORIES = 50
STORE_STORIES = 20
PROFILED_STORIES = 5
SITEMAP_RUNS = 3
HEADLINES_READ = 5000
_WORD = re.compile(r"[a-z]+")
_FILLER = frozenset({"in", "the", "of", "a", "and", "to"})

# --- Helpers -----------------------------------------------------------------


def edition_of(seed: dict[str, Any]) -> Any:
    from herald.editions.models import Edition

    return Edition.objects.get(pk=seed["editions"][0]["id"])


# --- Search ------------------------------------------------------------------


def search_once(query: Any) -> Any:
    """One search as the view makes it: the backend of the database in use."""
    from herald.discovery.search import get_backend

    return get_backend().search(query)


def vocabulary(edition: Any) -> tuple[list[str], list[str], list[list[str]]]:
    """Common and rare headline words of the edition, and headlines as word lists."""
    from herald.stories.models import Story

    headlines = list(
        Story.objects.public()
        .for_edition(edition)
        .order_by("-id")
        .values_list("headline", flat=True)[:HEADLINES_READ]
    )
    split = [_WORD.findall(h.lower()) for h in headlines]
    counts = Counter(w for words in split for w in words if w not in _FILLER)
    ranked = [w for w, _ in counts.most_common() if len(w) >= 3]
    return ranked[:40], ranked[-30:], [w for w in split if len(w) >= 5]


def build_queries(
    edition: Any, rng: random.Random, sizes: dict[str, int]
) -> list[tuple[str, Any]]:
    """(category, SearchQuery) in the mix of `sizes`, from the seeded words."""
    from django.utils import timezone

    from herald.discovery.search.base import SearchQuery
    from herald.stories.models import Section

    common, rare, headlines = vocabulary(edition)
    section_ids = list(Section.objects.values_list("pk", flat=True))
    now = timezone.now()
    long_words = [w for w in common if len(w) >= 5] or common
    made: list[tuple[str, Any]] = []

    def add(category: str, text: str, **filters: Any) -> None:
        made.append(
            (category, SearchQuery(text=text, edition_id=edition.pk, **filters))
        )

    for category, size in sizes.items():
        for _ in range(size):
            words = rng.choice(headlines)
            if category == "common word":
                add(category, rng.choice(common))
            elif category == "rare word":
                add(category, rng.choice(rare))
            elif category == "two words":
                first, second = rng.sample(words[1:], 2)
                add(category, f"{first} {second}")
            elif category == "phrase":
                length = rng.randint(2, 3)
                start = rng.randint(1, len(words) - length)
                add(category, '"' + " ".join(words[start : start + length]) + '"')
            elif category == "prefix":
                word = rng.choice(long_words)
                add(category, word[: rng.randint(3, 5)] + "*")
            elif category == "section filter":
                add(category, rng.choice(common), section_id=rng.choice(section_ids))
            elif category == "date range":
                starts = now - timedelta(days=rng.randint(30, 360))
                add(
                    category,
                    rng.choice(common),
                    starts=starts,
                    ends=starts + timedelta(days=30),
                )
            elif category == "no match":
                add(category, "zq" + rng.choice(common) + "xv")
    return made


def view_params(query: Any, edition: Any, sections: dict[int, str]) -> dict[str, str]:
    """The GET parameters of /search/ that ask for `query`."""
    from zoneinfo import ZoneInfo

    params = {"q": query.text}
    if query.section_id is not None:
        params["section"] = sections[query.section_id]
    zone = ZoneInfo(edition.time_zone)
    if query.starts is not None:
        params["from"] = query.starts.astimezone(zone).date().isoformat()
    if query.ends is not None:
        params["to"] = query.ends.astimezone(zone).date().isoformat()
    return params


def measure_search(seed: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    from django.test import Client

    from herald.stories.models import Section

    edition = edition_of(seed)
    queries = build_queries(edition, rng, SEARCH_QUERIES)
    warmup = build_queries(
        edition, random.Random(rng.random()), {"common word": WARMUP_QUERIES}
    )
    print(
        f"search: {len(warmup)} warm-up, then {len(queries)} timed queries",
        flush=True,
    )
    for _, query in warmup:
        search_once(query)

    rows: list[dict[str, Any]] = []
    for number, (category, query) in enumerate(queries):
        ms, page, timer = timed(partial(search_once, query))
        rows.append(
            {
                "number": number,
                "category": category,
                "text": query.text,
                "section_id": query.section_id,
                "starts": query.starts.isoformat() if query.starts else None,
                "ms": round(ms, 3),
                "sql_ms": round(timer.sql_ms, 3),
                "queries": len(timer.queries),
                "total": page.total,
                "hits": len(page.hits),
            }
        )
    by_category: dict[str, Any] = {}
    for category in SEARCH_QUERIES:
        mine = [r for r in rows if r["category"] == category]
        by_category[category] = summary([r["ms"] for r in mine]) | {
            "median_total": statistics.median(r["total"] for r in mine),
            "median_sql_ms": round(statistics.median(r["sql_ms"] for r in mine), 3),
        }
    # The slowest query of each kind once more, to explain its SQL.
    for category, stats in by_category.items():
        worst = max(
            (r for r in rows if r["category"] == category), key=lambda r: r["ms"]
        )
        again, _, timer = timed(partial(search_once, queries[worst["number"]][1]))
        stats["slowest"] = {
            "text": worst["text"],
            "section_id": worst["section_id"],
            "starts": worst["starts"],
            "ms": worst["ms"],
            "ms_again": round(again, 3),
            "sql_ms": [round(q["ms"], 3) for q in timer.queries],
            "sql": slowest_sql(timer, keep=1),
        }
    slowest = sorted(rows, key=lambda r: -r["ms"])[:5]
    print("search: backend done; now the /search/ view", flush=True)

    # The whole reader view: form, search, local headlines, template.
    sections = dict(Section.objects.values_list("pk", "slug"))
    client = Client(HTTP_HOST=f"{edition.slug}.localhost", raise_request_exception=True)
    chosen = queries[:: max(1, len(queries) // VIEW_QUERIES)][:VIEW_QUERIES]
    for _, query in warmup[:5]:
        client.get("/search/", view_params(query, edition, sections))
    view_rows: list[dict[str, Any]] = []
    for category, query in chosen:
        params = view_params(query, edition, sections)
        ms, response, view_timer = timed(partial(client.get, "/search/", params))
        if response.status_code != 200:
            raise SystemExit(
                f"GET /search/?{urlencode(params)} answered {response.status_code}"
            )
        view_rows.append(
            {
                "category": category,
                "url": "/search/?" + urlencode(params),
                "ms": round(ms, 3),
                "queries": len(view_timer.queries),
                "sql_ms": round(view_timer.sql_ms, 3),
                "bytes": len(response.content),
            }
        )
    return {
        "edition": edition.slug,
        "backend": summary([r["ms"] for r in rows]),
        "backend_by_category": by_category,
        "backend_slowest": slowest,
        "view": summary([r["ms"] for r in view_rows])
        | {"median_queries": statistics.median(r["queries"] for r in view_rows)},
        "view_rows": view_rows,
        "rows": rows,
    }


# --- Related stories ---------------------------------------------------------


def measure_related(seed: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    from herald.discovery.related import choose_related, store_related
    from herald.stories.models import Story

    edition = edition_of(seed)
    ids = [s["id"] for s in seed["sample"]]
    picked = rng.sample(ids, min(RELATED_STORIES + 1, len(ids)))
    warm, timed_ids = picked[0], picked[1:]
    print(f"related: choose_related for {len(timed_ids)} stories", flush=True)
    choose_related(Story.objects.get(pk=warm), edition)
    rows: list[dict[str, Any]] = []
    for pk in timed_ids:
        story = Story.objects.get(pk=pk)  # a fresh instance: no cached relations
        ms, choices, timer = timed(partial(choose_related, story, edition))
        rows.append(
            {
                "story_id": pk,
                "ms": round(ms, 3),
                "sql_ms": round(timer.sql_ms, 3),
                "queries": len(timer.queries),
                "chosen": len(choices),
                "fallback": sum(1 for c in choices if c.score == 0.0),
            }
        )
    worst = max(rows, key=lambda r: r["ms"])
    worst_story = Story.objects.get(pk=worst["story_id"])
    _, _, worst_timer = timed(partial(choose_related, worst_story, edition))

    # Where choose_related's time goes, in Python and SQL, over a few stories.
    profiler = cProfile.Profile()
    for pk in timed_ids[:PROFILED_STORIES]:
        story = Story.objects.get(pk=pk)
        profiler.runcall(choose_related, story, edition)
    profile = profile_lines(profiler, PROFILED_STORIES)

    print(f"related: store_related for {STORE_STORIES} stories", flush=True)
    store_rows: list[dict[str, Any]] = []
    for pk in timed_ids[:STORE_STORIES]:
        story = Story.objects.get(pk=pk)
        editions = story.editions.count()
        ms, stored, timer = timed(partial(store_related, story))
        store_rows.append(
            {
                "story_id": pk,
                "editions": editions,
                "ms": round(ms, 3),
                "ms_per_edition": round(ms / editions, 3),
                "sql_ms": round(timer.sql_ms, 3),
                "rows": stored,
            }
        )
    return {
        "edition": edition.slug,
        "choose": summary([r["ms"] for r in rows])
        | {
            "median_sql_ms": round(statistics.median(r["sql_ms"] for r in rows), 3),
            "median_queries": statistics.median(r["queries"] for r in rows),
        },
        "choose_slowest_sql": slowest_sql(worst_timer),
        "choose_profile": profile,
        "store": summary([r["ms"] for r in store_rows])
        | {
            "median_editions": statistics.median(r["editions"] for r in store_rows),
            "per_edition": summary([r["ms_per_edition"] for r in store_rows]),
        },
        "rows": rows,
        "store_rows": store_rows,
    }


# --- Sitemaps ----------------------------------------------------------------


def _count_urls(body: bytes) -> int:
    return body.count(b"<url>") + body.count(b"<sitemap>")


def measure_sitemaps(seed: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    from django.test import Client

    edition = edition_of(seed)
    client = Client(HTTP_HOST=f"{edition.slug}.localhost", raise_request_exception=True)
    if client.get("/robots.txt").status_code != 200:  # loads the URLconf, middleware
        raise SystemExit("GET /robots.txt did not answer 200")
    baseline = max_rss_mib()
    index = client.get("/sitemap.xml")
    if index.status_code != 200:
        raise SystemExit(f"GET /sitemap.xml answered {index.status_code}")
    pages = len(re.findall(rb"sitemap-stories-\d+\.xml", index.content))
    paths = ["/sitemap.xml", "/sitemap-stories-1.xml"]
    if pages > 1:
        paths.append(f"/sitemap-stories-{pages}.xml")
    paths.append("/news-sitemap.xml")
    print(f"sitemaps: {', '.join(paths)} ({SITEMAP_RUNS} runs each)", flush=True)
    results: dict[str, Any] = {}
    for path in paths:
        runs, timer, body = [], QueryTimer(), b""
        for _ in range(SITEMAP_RUNS):
            ms, response, timer = timed(partial(client.get, path))
            if response.status_code != 200:
                raise SystemExit(f"GET {path} answered {response.status_code}")
            runs.append(ms)
            body = response.content
        # Peak Python memory of one more request; traced apart, as it slows them.
        tracemalloc.start()
        tracemalloc.reset_peak()
        client.get(path)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        results[path] = {
            "urls": _count_urls(body),
            "bytes": len(body),
            "min_ms": round(min(runs), 3),
            "median_ms": round(statistics.median(runs), 3),
            "runs_ms": [round(r, 3) for r in runs],
            "queries": len(timer.queries),
            "sql_ms": round(timer.sql_ms, 3),
            "tracemalloc_peak_mib": round(peak / 2**20, 2),
            "max_rss_mib_after": max_rss_mib(),
            "slowest_sql": slowest_sql(timer, keep=1),
        }
    return {
        "edition": edition.slug,
        "story_pages": pages,
        "max_rss_mib_baseline": baseline,
        "max_rss_mib": max_rss_mib(),
        "urls": results,
    }


def measure_info(seed: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """What the database holds after seeding and indexing."""
    from django.db import connection

    from herald.discovery.models import SearchEntry
    from herald.stories.models import Story

    edition = edition_of(seed)
    info: dict[str, Any] = {
        "vendor": connection.vendor,
        "stories": Story.objects.count(),
        "stories_on_edition": Story.objects.for_edition(edition).count(),
        "search_entries": SearchEntry.objects.count(),
    }
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            info["version"] = cursor.fetchone()[0]
            info["database_mib"] = round(
                Path(connection.settings_dict["NAME"]).stat().st_size / 2**20, 1
            )
        else:
            cursor.execute("SHOW server_version")
            info["version"] = cursor.fetchone()[0]
            cursor.execute("SELECT pg_database_size(current_database())")
            info["database_mib"] = round(cursor.fetchone()[0] / 2**20, 1)
    return info


PHASES: dict[str, Callable[[dict[str, Any], random.Random], dict[str, Any]]] = {
    "info": measure_info,
    "search": measure_search,
    "related": measure_related,
    "sitemaps": measure_sitemaps,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("phase", choices=sorted(PHASES))
    parser.add_argument("--seed", type=Path, required=True, help="seed_bulk's JSON")
    parser.add_argument("--out", type=Path, required=True, help="JSON result file")
    parser.add_argument("--random-seed", type=int, default=20250102)
    args = parser.parse_args(argv)
    django.setup()
    seed = json.loads(args.seed.read_text())
    started = time.monotonic()
    result = PHASES[args.phase](seed, random.Random(args.random_seed))
    result["seconds"] = round(time.monotonic() - started, 1)
    args.out.write_text(json.dumps(result, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
