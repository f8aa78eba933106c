"""The newsletter's rate limits (counted by herald.core.ratelimit)."""

from herald.core.ratelimit import Limit

# Sign-up floods come from one client; mail bombs aim at one address. Each address
# gets at most three mails a day from one edition, and ten from the whole network.
SIGNUPS_PER_IP = Limit("nl-signup-ip", 10, 3600)
MAILS_PER_ADDRESS = Limit("nl-mail-address", 3, 86400)
MAILS_PER_ADDRESS_NETWORK = Limit("nl-mail-address-network", 10, 86400)
