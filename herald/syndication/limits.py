"""The syndication API's rate limit (counted by herald.core.ratelimit): requests per
key per hour, as many as `HERALD_API_RATE_LIMIT`."""

from django.conf import settings

from herald.core.ratelimit import Limit

WINDOW_SECONDS = 3600


def api_key_limit() -> Limit:
    """The limit of one API key (the setting is read each time, as tests change it)."""
    return Limit("api-key", settings.HERALD_API_RATE_LIMIT, WINDOW_SECONDS)
