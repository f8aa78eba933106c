"""The desk for wire ingest: sources with their health, wire items as delivered
(and a story made from one), clusters (merge, split, what differs, a story from
the lead) and routing rules with a try-out. Importing the package registers each
part's pages with the admin site."""

from herald.ingest.admin import clusters, items, rules, sources  # noqa: F401 - registers them
