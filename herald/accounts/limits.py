"""The submitter accounts' rate limits (counted by herald.core.ratelimit)."""

from herald.core.ratelimit import Limit

# Per client address and per email address (the account), so neither a flood from
# one client nor guessing at one account gets far.
SIGNUP_IP = Limit("acct-signup-ip", 10, 3600)
SIGNUP_ADDRESS = Limit("acct-signup-address", 3, 86400)
LOGIN_IP = Limit("acct-login-ip", 30, 900)
LOGIN_ADDRESS = Limit("acct-login-address", 10, 900)
RESET_IP = Limit("acct-reset-ip", 10, 3600)
RESET_ADDRESS = Limit("acct-reset-address", 3, 86400)
