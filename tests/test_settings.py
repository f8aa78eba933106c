"""Production mode refuses to start without a secret and turns on the protections."""

import os
import subprocess
import sys

SNIPPET = (
    "import django; from django.conf import settings; django.setup(); "
    "print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, "
    "settings.SECURE_HSTS_SECONDS, settings.DEBUG)"
)


def _run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HERALD_")}
    clean.update(env, DJANGO_SETTINGS_MODULE="herald.settings")
    return subprocess.run(
        [sys.executable, "-c", SNIPPET],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_a_secret_key_refuses_to_start() -> None:
    result = _run({"HERALD_ENV": "production"})
    assert result.returncode != 0
    assert "HERALD_SECRET_KEY must be set" in result.stderr


def test_production_sets_secure_cookies_and_hsts() -> None:
    result = _run({"HERALD_ENV": "production", "HERALD_SECRET_KEY": "x" * 50})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "31536000", "False"]


def test_unknown_environment_and_bad_booleans_are_refused() -> None:
    assert "HERALD_ENV must be" in _run({"HERALD_ENV": "staging"}).stderr
    assert (
        "HERALD_DEBUG must be true or false" in _run({"HERALD_DEBUG": "maybe"}).stderr
    )
