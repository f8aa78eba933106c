"""Receivers of the kernel: fresh planner statistics after every migration.
Connected in CoreConfig.ready()."""

from django.db.models.signals import post_migrate

from herald.core.dbstats import analyze_after_migrate


def connect() -> None:
    post_migrate.connect(analyze_after_migrate, dispatch_uid="core.analyze")
