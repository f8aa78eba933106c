"""The desk for stories: lists with filters, workflow buttons, preview per edition,
revision history, the picture library and a story's pictures, and corrections.
Every change goes through actions."""

# Importing the modules registers their admins with the desk.
from herald.stories.admin import pictures, story, taxonomy  # noqa: F401
