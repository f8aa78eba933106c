"""The discovery benchmark's report: its targets, verdicts and printed tables."""

from typing import Any

TARGET_SEARCH_P95_MS = 20.0  # SQLite, the backend's search call; PostgreSQL aims
TARGET_RELATED_MS = 50.0  # choose_related, per story


def _verdict(value: float, target: float) -> str:
    return "PASS" if value <= target else "MISS"


def _row(name: str, cells: list[str], width: int) -> str:
    return f"{name:<30}" + "".join(f"{c:>{width}}" for c in cells)


def _ms(stats: dict[str, float], *keys: str) -> str:
    return " / ".join(f"{stats[k]:.1f}" for k in keys)


# Lines of a PostgreSQL plan worth printing: its nodes, what they scan, how much
# they throw away, and the total; not buffers, sort keys or worker counts.
_PLAN_KEEP = ("->", "Index Cond", "Filter:", "Rows Removed", "Execution Time")


def _print_sql(title: str, queries: list[dict[str, Any]]) -> None:
    """The slowest query of a run, cut short, and the gist of its plan."""
    print(f"  {title}")
    for query in queries[:1]:
        print(f"    {query['ms']:.1f} ms: {query['sql'][:240]}")
        lines = query["plan"]
        if lines and not lines[0][:1].isdigit():  # PostgreSQL's, not SQLite's
            lines = lines[:1] + [
                x for x in lines[1:] if x.lstrip().startswith(_PLAN_KEEP)
            ]
        for line in lines[:24]:
            print(f"      {line[:170]}")


def print_report(report: dict[str, Any]) -> None:
    dbs = report["databases"]
    labels = list(dbs)
    print()
    print(
        f"Herald discovery: {report['options']['stories']} stories, "
        f"{report['options']['editions']} editions, {report['machine']['cpus']} CPUs, "
        f"load average before {report['load_average_before'][0]:.2f}, "
        f"after {report['load_average_after'][0]:.2f}"
    )
    for label, db in dbs.items():
        info = db["info"]
        print(
            f"  {label}: {db['database']} (version {info['version']}), "
            f"{info['database_mib']} MiB, {info['search_entries']} entries indexed, "
            f"{info['stories_on_edition']} stories on edition 1"
        )
    print()
    print(_row("setup (s)", labels, 14))
    for key in ("migrate_s", "seed_s", "rebuild_index_s"):
        print(
            _row(f"  {key[:-2]}", [f"{dbs[d]['setup'][key]:.1f}" for d in labels], 14)
        )

    print()
    print(_row("search (ms)", [f"{d} p50/p95/max" for d in labels], 26))
    categories = ["all", *dbs[labels[0]]["search"]["backend_by_category"]]
    for category in categories:
        cells = []
        for d in labels:
            found = dbs[d]["search"]
            stats = (
                found["backend"]
                if category == "all"
                else found["backend_by_category"][category]
            )
            cells.append(_ms(stats, "p50", "p95", "max"))
        name = "backend, all (p99 below)" if category == "all" else f"  {category}"
        print(_row(name, cells, 26))
    print(
        _row(
            "backend, all: p99",
            [f"{dbs[d]['search']['backend']['p99']:.1f}" for d in labels],
            26,
        )
    )
    print(
        _row(
            "/search/?q= view",
            [_ms(dbs[d]["search"]["view"], "p50", "p95", "max") for d in labels],
            26,
        )
    )

    print()
    print(_row("related (ms)", [f"{d} p50/p95/max" for d in labels], 26))
    rows = (
        ("choose_related, per story", lambda r: r["choose"]),
        ("  SQL in execute(), median", lambda r: None),
        ("store_related, per story", lambda r: r["store"]),
        ("store_related, per edition", lambda r: r["store"]["per_edition"]),
    )
    for name, pick in rows:
        cells = []
        for d in labels:
            related = dbs[d]["related"]
            stats = pick(related)
            cells.append(
                f"{related['choose']['median_sql_ms']:.1f}"
                if stats is None
                else _ms(stats, "p50", "p95", "max")
            )
        print(_row(name, cells, 26))

    print()
    header = (
        f"{'sitemap':<26}{'db':<12}{'URLs':>7}{'KiB':>7}{'min ms':>9}{'med ms':>9}"
        f"{'queries':>8}{'py peak MiB':>12}"
    )
    print(header)
    print("-" * len(header))
    for d in labels:
        found = dbs[d]["sitemaps"]
        for path, r in found["urls"].items():
            print(
                f"{path:<26}{d:<12}{r['urls']:>7}{r['bytes'] / 1024:>7.0f}"
                f"{r['min_ms']:>9.1f}{r['median_ms']:>9.1f}{r['queries']:>8}"
                f"{r['tracemalloc_peak_mib']:>12.2f}"
            )
    for d in labels:
        found = dbs[d]["sitemaps"]
        print(
            f"  {d}: process max RSS {found['max_rss_mib']:.1f} MiB "
            f"({found['max_rss_mib_baseline']:.1f} MiB before the first sitemap)"
        )

    print()
    print("Slowest SQL:")
    for d in labels:
        for category, stats in dbs[d]["search"]["backend_by_category"].items():
            worst = stats["slowest"]
            title = (
                f"{d} search, {category}: slowest {worst['text']!r} "
                f"{worst['ms']:.1f} ms (again: {worst['ms_again']:.1f} ms, SQL "
                + " + ".join(f"{ms:.1f}" for ms in worst["sql_ms"])
                + " ms)"
            )
            if stats["p95"] > TARGET_SEARCH_P95_MS:
                _print_sql(title, worst["sql"])
            else:
                print(f"  {title}")
        _print_sql(f"{d} choose_related", dbs[d]["related"]["choose_slowest_sql"])
        print(f"  {d} choose_related profile (per story):")
        for line in dbs[d]["related"]["choose_profile"]:
            print(f"    {line}")
        urls = dbs[d]["sitemaps"]["urls"]
        path = max(urls, key=lambda p: urls[p]["min_ms"])
        _print_sql(f"{d} {path}", urls[path]["slowest_sql"])

    print()
    for line in report["verdicts"]:
        print(line)


def verdicts(report: dict[str, Any]) -> list[str]:
    lines = []
    for label, db in report["databases"].items():
        p95 = db["search"]["backend"]["p95"]
        # The target is SQLite's; PostgreSQL aims at the same.
        target = " (target)" if label == "sqlite" else " (aim)"
        lines.append(
            f"search p95 on {label} <= {TARGET_SEARCH_P95_MS:.0f} ms{target}: "
            f"{_verdict(p95, TARGET_SEARCH_P95_MS)} ({p95:.2f} ms)"
        )
        p95 = db["related"]["choose"]["p95"]
        lines.append(
            f"related p95 per story on {label} <= {TARGET_RELATED_MS:.0f} ms: "
            f"{_verdict(p95, TARGET_RELATED_MS)} ({p95:.1f} ms)"
        )
        p95 = db["search"]["view"]["p95"]
        lines.append(f"/search/?q= view p95 on {label}: {p95:.1f} ms (reported)")
    return lines
