"""Start the scale-out cluster once per module, on the committed test database.

These tests need PostgreSQL, redis-server, varnishd and the xkey vmod. Without
them they skip, with the reason; with HERALD_SCALE_TESTS=1 (CI's PostgreSQL leg)
a missing part fails the run instead."""

import glob
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.db import connection

from herald.newsletter.tests.sink import SinkProcess
from tests.scale.cluster import BINARIES, Cluster

REQUIRED = os.environ.get("HERALD_SCALE_TESTS", "") == "1"
SINK_RATE = "40"  # messages a second per worker: a send lasts long enough to kill


def _missing() -> str:
    if connection.vendor != "postgresql":
        return (
            "the scale-out suite runs on PostgreSQL (HERALD_DATABASE_URL=postgres://…)"
        )
    absent = [name for name in BINARIES if shutil.which(name) is None]
    if not glob.glob("/usr/lib/*/varnish/vmods/libvmod_xkey.so"):
        absent.append("the xkey vmod")
    if absent:
        return (
            f"missing {', '.join(absent)}: "
            "apt-get install redis-server varnish varnish-modules"
        )
    return ""


@pytest.fixture(scope="module")
def cluster(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[Cluster]:
    with django_db_blocker.unblock():
        reason = _missing()
        if reason:
            if REQUIRED:
                pytest.fail(f"HERALD_SCALE_TESTS=1 but {reason}")
            pytest.skip(reason)
        folder = Path(tmp_path_factory.mktemp("cluster"))
        sink = SinkProcess(record=folder / "accepted.tsv")
        sink.start()
        nodes = Cluster(
            folder=folder,
            extra_env={
                "HERALD_EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
                "HERALD_EMAIL_TIMEOUT": "5",
                "HERALD_NEWSLETTER_LEASE_SECONDS": "4",
                "HERALD_NEWSLETTER_BATCH": "10",
                "HERALD_NEWSLETTER_CONCURRENCY": "1",
                "HERALD_NEWSLETTER_RATE": SINK_RATE,
            },
        )
        nodes.sink = sink  # type: ignore[attr-defined]
        try:
            nodes.start()
        except BaseException:
            print(nodes.logs())
            nodes.stop()
            sink.kill()
            raise
        try:
            yield nodes
        finally:
            nodes.stop()
            sink.kill()


@pytest.fixture
def fresh(cluster: Cluster) -> Iterator[Cluster]:
    """Each test starts with empty caches: pages of an earlier test's data (the
    database is emptied between tests) must not answer."""
    client = redis.Redis(host="127.0.0.1", port=cluster.redis_port)
    stale = list(client.scan_iter("herald:*"))
    if stale:
        client.delete(*stale)
    cluster.varnishadm("ban", "req.url", "~", ".")
    yield cluster
