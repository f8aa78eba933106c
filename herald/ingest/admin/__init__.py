"""The desk for wire ingest: sources with their health, wire items as delivered,
clusters (merge, split, what differs) and routing rules with a try-out. Importing
the package registers each part's pages with the admin site."""

from herald.ingest.admin import clusters, rules, sources  # noqa: F401 - registers them
