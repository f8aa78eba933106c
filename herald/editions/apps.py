"""Editions: the mastheads of the network."""

from django.apps import AppConfig


class EditionsConfig(AppConfig):
    name = "herald.editions"
    label = "editions"

    def ready(self) -> None:
        from herald.editions import receivers

        receivers.connect()
