"""Herald's settings: each environment variable is read here, once, with its default."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in _env(name, default).split(",") if item.strip()]


# --- Environment ------------------------------------------------------------
HERALD_ENV = _env("HERALD_ENV", "development")  # development | production | test
if HERALD_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured(
        f"HERALD_ENV must be development, production or test, not {HERALD_ENV!r}."
    )
PRODUCTION = HERALD_ENV == "production"

SECRET_KEY = _env("HERALD_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "HERALD_SECRET_KEY must be set when HERALD_ENV=production."
        )
    SECRET_KEY = "herald-development-key-not-for-production"  # noqa: S105

DEBUG = _env_bool("HERALD_DEBUG", False)
VAR_DIR = Path(_env("HERALD_VAR_DIR", str(BASE_DIR / "var")))
# Every edition's host names are allowed automatically (EditionMiddleware checks
# them); these are the other hosts that may serve the network index and the desk.
HERALD_ALLOWED_HOSTS = _env_list(
    "HERALD_ALLOWED_HOSTS", ".localhost,localhost,127.0.0.1,[::1],testserver"
)
ALLOWED_HOSTS = ["*"]  # checked by EditionMiddleware against editions and the above
# Development host names of editions are "<slug><suffix>", e.g. japan-herald.localhost.
HERALD_DEV_HOST_SUFFIX = _env("HERALD_DEV_HOST_SUFFIX", ".localhost")
# Scheme of edition URLs built without a request (feeds, sitemaps, API, email).
HERALD_PUBLIC_SCHEME = _env("HERALD_PUBLIC_SCHEME", "https" if PRODUCTION else "http")

# --- Database ---------------------------------------------------------------
DATABASE_URL = _env("HERALD_DATABASE_URL", f"sqlite:///{VAR_DIR / 'herald.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600)}
# SQLite's page cache per connection, in MiB (SQLite's default is 2): filled only
# as pages are read, so a connection holds at most this much. Ingest's random
# inserts into the LSH and story indexes missed a 2 MiB cache on every other page.
HERALD_SQLITE_CACHE_MB = int(_env("HERALD_SQLITE_CACHE_MB", "64"))
if HERALD_SQLITE_CACHE_MB < 1:
    raise ImproperlyConfigured("HERALD_SQLITE_CACHE_MB must be 1 or more.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers and the worker run beside a writer; IMMEDIATE takes the
        # write lock at BEGIN so two writers queue instead of failing half-way.
        # Temporary tables and savepoint journals in memory, not temp files: ingest
        # takes a savepoint per wire item (bench/ingest.py: 5 to 20% less CPU).
        # A negative cache_size is in KiB.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA temp_store=MEMORY; "
            f"PRAGMA cache_size=-{HERALD_SQLITE_CACHE_MB * 1024};"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # SQLite needs its folder; a fresh checkout has no var/ yet.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Tests use a file, not shared-cache memory, so that threads and processes in a
    # test see the same WAL locking as production; one file per test process.
    DATABASES["default"]["TEST"] = {
        "NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Applications -------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "template_partials",
    "django_prose_editor",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "herald.core",
    "herald.edge",
    "herald.accounts",
    "herald.editions",
    "herald.stories",
    "herald.discovery",
    "herald.syndication",
    "herald.newsletter",
    "herald.releases",
    "herald.ingest",
    "herald.web",
    "herald.demo",
]
AUTH_USER_MODEL = "accounts.User"

MIDDLEWARE = [
    "herald.core.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "herald.editions.middleware.EditionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "herald.accounts.second_factor.DeskSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "herald.core.middleware.DeskTimeZoneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "herald.core.middleware.PrivateByDefaultMiddleware",
]
ROOT_URLCONF = "herald.urls"
WSGI_APPLICATION = "herald.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "herald" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "herald.editions.context_processors.edition",
            ],
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"  # stored times are UTC; pages show each edition's own zone
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "herald" / "static"]
STATIC_ROOT = Path(_env("HERALD_STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = _env("HERALD_MEDIA_URL", "/media/")
MEDIA_ROOT = Path(_env("HERALD_MEDIA_ROOT", str(VAR_DIR / "media")))
# Serve media from Django only when no front server does (development, demo, bench).
HERALD_SERVE_MEDIA = _env_bool("HERALD_SERVE_MEDIA", not PRODUCTION)
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Images: a cap on the upload's bytes and on its decoded pixels, checked before work.
HERALD_IMAGE_MAX_BYTES = int(_env("HERALD_IMAGE_MAX_BYTES", str(20 * 1024 * 1024)))
HERALD_IMAGE_MAX_PIXELS = int(_env("HERALD_IMAGE_MAX_PIXELS", str(40_000_000)))

# News releases: the byte cap of each uploaded image (five per release), and how
# long the link that verifies a submitter's address works.
HERALD_RELEASE_IMAGE_MAX_BYTES = int(
    _env("HERALD_RELEASE_IMAGE_MAX_BYTES", str(8 * 1024 * 1024))
)
HERALD_VERIFY_LINK_HOURS = int(_env("HERALD_VERIFY_LINK_HOURS", "48"))

# --- Cache and tasks -----------------------------------------------------------
# Redis, when set, is the cache (render cache and rate limits, shared by every web
# process) and the task queue (RQ through the Tasks API). Unset: the in-memory
# cache of each process and the database queue, for one machine.
HERALD_REDIS_URL = _env("HERALD_REDIS_URL", "")
if HERALD_REDIS_URL and not HERALD_REDIS_URL.startswith(
    ("redis://", "rediss://", "unix://")
):
    raise ImproperlyConfigured(
        "HERALD_REDIS_URL must be redis://host:port/db, rediss://… or unix://PATH, "
        f"not {HERALD_REDIS_URL!r}."
    )
CACHES: dict[str, dict[str, object]]
if HERALD_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": HERALD_REDIS_URL,
            "KEY_PREFIX": "herald",
        }
    }
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": HERALD_REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "herald",
            "OPTIONS": {"MAX_ENTRIES": int(_env("HERALD_CACHE_MAX_ENTRIES", "5000"))},
        }
    }
HERALD_TASKS_BACKEND = _env(
    "HERALD_TASKS_BACKEND",
    "django_tasks_rq.RQBackend"
    if HERALD_REDIS_URL
    else "django_tasks_db.DatabaseBackend",
)
if HERALD_TASKS_BACKEND == "django_tasks_rq.RQBackend" and not HERALD_REDIS_URL:
    raise ImproperlyConfigured("The RQ task backend needs HERALD_REDIS_URL.")
TASKS = {
    "default": {
        "BACKEND": HERALD_TASKS_BACKEND,
        "QUEUES": ["default"],
    }
}
# How often `herald worker` sweeps for due schedules (seconds).
HERALD_SCHEDULE_SWEEP_SECONDS = int(_env("HERALD_SCHEDULE_SWEEP_SECONDS", "20"))

# --- Public pages ---------------------------------------------------------------
# max-age of public pages for browsers and shared caches (seconds).
HERALD_PAGE_MAX_AGE = int(_env("HERALD_PAGE_MAX_AGE", "60"))
# Keep rendered public pages in the cache, keyed by the content version (see
# herald/edge/caching.py). Off renders every request.
HERALD_RENDER_CACHE = _env_bool("HERALD_RENDER_CACHE", True)
HERALD_PAGE_SIZE = int(_env("HERALD_PAGE_SIZE", "20"))
HERALD_RELATED_COUNT = int(_env("HERALD_RELATED_COUNT", "8"))
HERALD_TEASER_LENGTH = int(_env("HERALD_TEASER_LENGTH", "180"))

# --- Caching proxies --------------------------------------------------------------
# Varnish (or any proxy speaking the same PURGE + xkey-purge) to purge when a story
# changes: comma-separated base URLs, e.g. http://10.0.0.5:6081,http://10.0.0.6:6081.
HERALD_PURGE_URLS = _env_list("HERALD_PURGE_URLS", "")
for _url in HERALD_PURGE_URLS:
    if not _url.startswith(("http://", "https://")):
        raise ImproperlyConfigured(
            f"HERALD_PURGE_URLS holds http(s) URLs, not {_url!r}."
        )
# Seconds one purge request may take, and how many times a failed purge is tried
# (waiting 2, 4, 8, … seconds, at most 5 minutes, between tries).
HERALD_PURGE_TIMEOUT = float(_env("HERALD_PURGE_TIMEOUT", "5"))
HERALD_PURGE_ATTEMPTS = int(_env("HERALD_PURGE_ATTEMPTS", "12"))
# Addresses or networks of proxies in front of the web processes (e.g. Varnish,
# nginx): only from these is X-Forwarded-For believed for the client's address.
HERALD_TRUSTED_PROXIES = _env_list("HERALD_TRUSTED_PROXIES", "")

# --- Discovery and syndication -----------------------------------------------------
HERALD_FEED_FULL_TEXT = _env_bool("HERALD_FEED_FULL_TEXT", True)  # else an excerpt
HERALD_FEED_ITEMS = int(_env("HERALD_FEED_ITEMS", "50"))
HERALD_SITEMAP_PAGE_SIZE = int(_env("HERALD_SITEMAP_PAGE_SIZE", "5000"))
HERALD_SEARCH_PAGE_SIZE = int(_env("HERALD_SEARCH_PAGE_SIZE", "20"))
HERALD_API_PAGE_SIZE = int(_env("HERALD_API_PAGE_SIZE", "50"))
# Requests a partner's API key may make per hour.
HERALD_API_RATE_LIMIT = int(_env("HERALD_API_RATE_LIMIT", "3600"))

# --- Outbound HTTP (herald/core/fetching/) ------------------------------------------
# One deadline for a whole request, redirects included (seconds).
HERALD_FETCH_TIMEOUT = float(_env("HERALD_FETCH_TIMEOUT", "20"))
# Cap on a response body, and on its decoded size when it is gzipped (bytes).
HERALD_FETCH_MAX_BYTES = int(_env("HERALD_FETCH_MAX_BYTES", str(10 * 1024 * 1024)))
HERALD_FETCH_MAX_REDIRECTS = int(_env("HERALD_FETCH_MAX_REDIRECTS", "5"))
# Non-public addresses or networks the fetcher may still connect to, e.g.
# "127.0.0.1,::1" for feeds served on this machine in development.
HERALD_FETCH_ALLOWED_ADDRESSES = _env_list("HERALD_FETCH_ALLOWED_ADDRESSES", "")
# PEM file of CA certificates trusted for https; empty uses the system's store.
HERALD_FETCH_CA_FILE = _env("HERALD_FETCH_CA_FILE", "")

# --- Wire ingest (herald/ingest) -------------------------------------------------
# Estimated Jaccard similarity (word-pair shingles) at or above which a wire item is
# the same news as a stored one; chosen on herald/ingest/tests/duplicate_pairs.py.
HERALD_INGEST_DUPLICATE_THRESHOLD = float(
    _env("HERALD_INGEST_DUPLICATE_THRESHOLD", "0.2")
)
# How long one poll may hold a source before another process may poll it (seconds).
HERALD_INGEST_LEASE_SECONDS = int(_env("HERALD_INGEST_LEASE_SECONDS", "300"))
# Sources fetched at once by one `herald ingest` or worker poll.
HERALD_INGEST_CONCURRENCY = int(_env("HERALD_INGEST_CONCURRENCY", "4"))
# Fetch wire pictures after each poll (herald/ingest/pictures.py): picture items
# into the library, a new story's pictures onto it. Off: editors still fetch a
# story's pictures when they make it from the wire.
HERALD_WIRE_PICTURES = _env_bool("HERALD_WIRE_PICTURES", True)

# --- Email --------------------------------------------------------------------
# console: (print), file:PATH (one .eml file a message in PATH), or
# smtp://[user:password@]host:port / smtps://... (implicit TLS) / smtp+starttls://...
HERALD_EMAIL_URL = _env("HERALD_EMAIL_URL", "console:")
HERALD_NEWSLETTER_CONFIRM_DAYS = int(_env("HERALD_NEWSLETTER_CONFIRM_DAYS", "3"))
# Sending: messages a second (0 = no limit), parallel SMTP connections per worker,
# deliveries claimed at once, and how long a claim is held before it expires.
HERALD_NEWSLETTER_RATE = float(_env("HERALD_NEWSLETTER_RATE", "0"))
HERALD_NEWSLETTER_CONCURRENCY = int(_env("HERALD_NEWSLETTER_CONCURRENCY", "4"))
HERALD_NEWSLETTER_BATCH = int(_env("HERALD_NEWSLETTER_BATCH", "200"))
HERALD_NEWSLETTER_LEASE_SECONDS = int(_env("HERALD_NEWSLETTER_LEASE_SECONDS", "300"))
# Soft bounces that suppress an address.
HERALD_SOFT_BOUNCE_LIMIT = int(_env("HERALD_SOFT_BOUNCE_LIMIT", "3"))
# Bearer token of the bounce endpoint /newsletter/bounces/; empty turns it off (404).
HERALD_BOUNCE_TOKEN = _env("HERALD_BOUNCE_TOKEN", "")
# An issue more than this many hours past its local hour is not built by the
# worker; it waits for a person (`herald send_newsletters --edition --date`).
HERALD_NEWSLETTER_LATE_HOURS = int(_env("HERALD_NEWSLETTER_LATE_HOURS", "3"))
# DKIM signing of newsletter mail: all three set, or none (no signature).
HERALD_DKIM_KEY_FILE = _env("HERALD_DKIM_KEY_FILE", "")  # PEM RSA private key
HERALD_DKIM_SELECTOR = _env("HERALD_DKIM_SELECTOR", "")  # e.g. herald2025
HERALD_DKIM_DOMAIN = _env("HERALD_DKIM_DOMAIN", "")  # d=, e.g. japanherald.com
EMAIL_TIMEOUT = int(_env("HERALD_EMAIL_TIMEOUT", "30"))  # seconds, every SMTP step


def _email_settings(url: str) -> dict[str, object]:
    from urllib.parse import unquote, urlsplit

    if url == "console:":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if url.startswith("file:"):
        path = url.removeprefix("file:")
        if not path:
            raise ImproperlyConfigured(
                "HERALD_EMAIL_URL file: needs a folder, file:PATH."
            )
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": path,
        }
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps", "smtp+starttls"} or not parts.hostname:
        raise ImproperlyConfigured(
            "HERALD_EMAIL_URL must be console:, file:PATH or smtp://host:port, "
            f"not {url!r}."
        )
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_USE_TLS": parts.scheme == "smtp+starttls",
    }


globals().update(_email_settings(HERALD_EMAIL_URL))
DEFAULT_FROM_EMAIL = _env("HERALD_DEFAULT_FROM_EMAIL", "newsroom@herald.localhost")

# --- Security ---------------------------------------------------------------------
LOGIN_URL = "/desk/login/"
# The desk asks admins and editors for a second factor (a TOTP app, or a recovery
# code) after the password; anyone who turned it on is always asked.
HERALD_DESK_REQUIRE_2FA = _env_bool("HERALD_DESK_REQUIRE_2FA", PRODUCTION)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "herald.web.errors.csrf_failure"  # the branded 403
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(_env("HERALD_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _env_bool("HERALD_SSL_REDIRECT", True)
    CSRF_TRUSTED_ORIGINS = _env_list("HERALD_CSRF_TRUSTED_ORIGINS", "")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": _env("HERALD_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
