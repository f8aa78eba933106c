"""Measuring in-process: percentiles, timed calls and their queries, plans, profiles."""

import cProfile
import pstats
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100) with linear interpolation, as numpy's default."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(values: list[float]) -> dict[str, float]:
    """n, p50, p95, p99 and max of milliseconds, rounded."""
    return {
        "n": len(values),
        "p50": round(percentile(values, 50), 3),
        "p95": round(percentile(values, 95), 3),
        "p99": round(percentile(values, 99), 3),
        "max": round(max(values), 3) if values else float("nan"),
    }


class QueryTimer:
    """A database execute wrapper that keeps each query's SQL, params and time."""

    def __init__(self) -> None:
        self.queries: list[dict[str, Any]] = []

    def __call__(
        self,
        execute: Callable[..., Any],
        sql: str,
        params: Any,
        many: bool,
        context: dict[str, Any],
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            ms = (time.perf_counter() - started) * 1000
            self.queries.append({"ms": ms, "sql": sql, "params": params})

    @property
    def sql_ms(self) -> float:
        return sum(q["ms"] for q in self.queries)


def timed(fn: Callable[[], Any]) -> tuple[float, Any, QueryTimer]:
    """Milliseconds of `fn()`, its result, and the queries it ran."""
    from django.db import connection

    timer = QueryTimer()
    with connection.execute_wrapper(timer):
        started = time.perf_counter()
        result = fn()
        ms = (time.perf_counter() - started) * 1000
    return ms, result, timer


def plan(sql: str, params: Any) -> list[str]:
    """The query plan: EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL."""
    from django.db import connection

    if connection.vendor == "sqlite":
        prefix = "EXPLAIN QUERY PLAN "
    else:
        prefix = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "
    try:
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql, params)
            rows = cursor.fetchall()
    except Exception as exc:  # a plan is a nicety: say why it is missing
        return [f"(no plan: {exc.__class__.__name__}: {exc})"]
    if connection.vendor == "sqlite":
        return [f"{row[1]}>{row[0]} {row[-1]}" for row in rows]
    return [str(row[0]) for row in rows]


def slowest_sql(timer: QueryTimer, keep: int = 2) -> list[dict[str, Any]]:
    """The `keep` slowest queries of a run, with their plans."""
    top = sorted(timer.queries, key=lambda q: -q["ms"])[:keep]
    return [
        {
            "ms": round(q["ms"], 3),
            "sql": " ".join(q["sql"].split()),
            "plan": plan(q["sql"], q["params"]),
        }
        for q in top
    ]


def profile_lines(profiler: cProfile.Profile, calls: int, top: int = 12) -> list[str]:
    """The functions with the most own time, per call of the profiled function."""
    stats = pstats.Stats(profiler)
    rows = []
    for (file, line, name), row in stats.stats.items():  # type: ignore[attr-defined]
        _, ncalls, own, cumulative, _ = row
        where = f"{Path(file).name}:{line}({name})" if line else name
        rows.append((own, cumulative, ncalls, where))
    rows.sort(reverse=True)
    return [
        f"{own * 1000 / calls:8.2f} ms own {cum * 1000 / calls:8.2f} ms cumulative "
        f"{ncalls // calls:>7} calls  {where}"
        for own, cum, ncalls, where in rows[:top]
    ]


def max_rss_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
