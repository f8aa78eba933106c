"""The desk for stories: lists with filters, workflow buttons, preview per edition,
revision history, images and corrections. Every change goes through actions."""

# Importing the modules registers their admins with the desk.
from herald.stories.admin import story, taxonomy  # noqa: F401
