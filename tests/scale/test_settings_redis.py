"""HERALD_REDIS_URL switches the cache and the task queue to Redis, and nothing else;
bad values are refused at start-up."""

import json
import os
import subprocess
import sys

import pytest

SNIPPET = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps([settings.CACHES['default']['BACKEND'], "
    "settings.TASKS['default']['BACKEND'], 'django_rq' in settings.INSTALLED_APPS, "
    "settings.HERALD_PURGE_URLS, settings.HERALD_TRUSTED_PROXIES]))"
)

pytestmark = pytest.mark.slow


def _run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HERALD_")}
    clean.update(env, DJANGO_SETTINGS_MODULE="herald.settings", HERALD_ENV="test")
    return subprocess.run(
        [sys.executable, "-c", SNIPPET],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_redis_the_embedded_cache_and_database_queue_are_used() -> None:
    result = _run({})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        "django.core.cache.backends.locmem.LocMemCache",
        "django_tasks_db.DatabaseBackend",
        False,
        [],
        [],
    ]


def test_with_redis_the_cache_and_the_queue_are_on_redis() -> None:
    result = _run(
        {
            "HERALD_REDIS_URL": "redis://127.0.0.1:6379/0",
            "HERALD_PURGE_URLS": "http://10.0.0.5:6081, http://10.0.0.6:6081",
            "HERALD_TRUSTED_PROXIES": "10.0.0.0/24",
        }
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        "django.core.cache.backends.redis.RedisCache",
        "django_tasks_rq.RQBackend",
        True,
        ["http://10.0.0.5:6081", "http://10.0.0.6:6081"],
        ["10.0.0.0/24"],
    ]


def test_bad_redis_purge_and_backend_settings_are_refused() -> None:
    assert "HERALD_REDIS_URL must be" in _run({"HERALD_REDIS_URL": "localhost"}).stderr
    assert "HERALD_PURGE_URLS holds" in _run({"HERALD_PURGE_URLS": "cache1"}).stderr
    refused = _run({"HERALD_TASKS_BACKEND": "django_tasks_rq.RQBackend"})
    assert "needs HERALD_REDIS_URL" in refused.stderr
