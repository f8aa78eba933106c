"""Management commands of the newsletter app."""
