"""Wire ingest: sources, wire items and clusters."""

from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "herald.ingest"
    label = "ingest"
    verbose_name = "Wire ingest"
