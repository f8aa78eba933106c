"""Discovery: related stories ("More Information") and search."""

from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "herald.discovery"
    label = "discovery"
