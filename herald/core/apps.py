"""The shared kernel: sanitizing, time helpers, images and the worker."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "herald.core"
    label = "core"
