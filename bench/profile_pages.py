"""Count, time and explain the SQL queries of one story-page and one home request."""

# bench/pages.py runs it after seeding; alone:
#   DJANGO_SETTINGS_MODULE=herald.settings HERALD_VAR_DIR=/tmp/x \
#       .venv/bin/python bench/profile_pages.py --host bench-1.localhost \
#       --path /news/1/some-slug/ --out /tmp/x/queries.json

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import django
from measuring import QueryTimer


def _plan(sql: str, params: Any) -> list[str]:
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    try:
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql, params)
            rows = cursor.fetchall()
    except Exception as exc:  # a plan is a nicety: report why it is missing
        return [f"(no plan: {exc.__class__.__name__}: {exc})"]
    if connection.vendor == "sqlite":
        return [str(row[-1]) for row in rows]
    return [str(row[0]) for row in rows]


def profile(host: str, path: str, repeat: int) -> dict[str, Any]:
    """Request `path` `repeat` times; keep the queries of the last, warm request."""
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST=host, raise_request_exception=False)
    status = 0
    elapsed = 0.0
    timer = QueryTimer()
    for _ in range(repeat):
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            started = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - started
        status = response.status_code
    queries = [
        {
            "ms": round(q["ms"], 3),
            "sql": q["sql"],
            "params": [str(p) for p in q["params"] or ()],
            "plan": _plan(q["sql"], q["params"]),
        }
        for q in timer.queries
    ]
    return {
        "path": path,
        "status": status,
        "request_ms": round(elapsed * 1000, 2),
        "count": len(queries),
        "sql_ms": round(sum(q["ms"] for q in queries), 3),
        "queries": sorted(queries, key=lambda q: q["ms"], reverse=True),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--host", required=True, help="Host header, e.g. bench-1.localhost"
    )
    parser.add_argument("--path", required=True, help="story page path")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    django.setup()
    result = {
        "story": profile(args.host, args.path, args.repeat),
        "home": profile(args.host, "/", args.repeat),
    }
    args.out.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    sys.exit(main())
