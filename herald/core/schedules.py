"""The schedule registry: work that falls due with time (a scheduled story, a daily
email, a wire source to poll). Each app registers its sweeps in its
`AppConfig.ready()`; `herald worker` runs them all, in order, on one worker of the
network at a time (the holder of the sweep lease).

A sweep takes no arguments, is safe to run twice, and returns how many things it did
(or None), which the worker logs."""

import logging
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sweep:
    name: str
    run: Callable[[], int | None]
    order: int


_sweeps: dict[str, Sweep] = {}


def register(name: str, run: Callable[[], int | None], *, order: int = 100) -> None:
    """Add (or replace, by `name`) a sweep; lower `order` runs first."""
    _sweeps[name] = Sweep(name=name, run=run, order=order)


def registered() -> list[Sweep]:
    return sorted(_sweeps.values(), key=lambda sweep: (sweep.order, sweep.name))


def run_all() -> dict[str, int | None]:
    """Run every registered sweep in order; return what each did. A sweep that
    raises is logged and the others still run; the next sweep tries it again."""
    done: dict[str, int | None] = {}
    for sweep in registered():
        try:
            done[sweep.name] = sweep.run()
        except Exception:
            logger.exception("Schedule sweep failed.", extra={"sweep": sweep.name})
            continue
        if done[sweep.name]:
            logger.info(
                "Schedule sweep did work.",
                extra={"sweep": sweep.name, "count": done[sweep.name]},
            )
    return done
