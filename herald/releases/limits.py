"""The news release submission's rate limits (counted by herald.core.ratelimit)."""

from herald.core.ratelimit import Limit

# Per submitter account and per client address, a day each.
SUBMIT_ACCOUNT = Limit("release-submit-account", 10, 86400)
SUBMIT_IP = Limit("release-submit-ip", 30, 86400)
