"""The schedule registry: sweeps run in order, each once, and one that fails is
logged while the others still run."""

import logging

import pytest

from herald.core import schedules


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, schedules.Sweep]:
    """An empty registry for the test; the apps' own sweeps come back after it."""
    empty: dict[str, schedules.Sweep] = {}
    monkeypatch.setattr(schedules, "_sweeps", empty)
    return empty


def test_the_installed_apps_register_their_sweeps_in_order() -> None:
    assert [sweep.name for sweep in schedules.registered()] == [
        "stories.publish_due",
        "stories.withdraw_expired",
        "newsletter.expire_leases",
        "newsletter.sweep",
        "ingest.due_sources",
        "ingest.withdraw_expired_pictures",
    ]


def test_sweeps_run_in_order_and_report_what_they_did(
    registry: dict[str, schedules.Sweep],
) -> None:
    ran: list[str] = []

    def early() -> None:
        ran.append("early")

    def late() -> int:
        ran.append("late")
        return 2

    schedules.register("late", late, order=50)
    schedules.register("early", early, order=10)
    assert schedules.run_all() == {"early": None, "late": 2}
    assert ran == ["early", "late"]


def test_registering_a_name_again_replaces_the_sweep(
    registry: dict[str, schedules.Sweep],
) -> None:
    schedules.register("once", lambda: 1)
    schedules.register("once", lambda: 7)
    assert schedules.run_all() == {"once": 7}


def test_a_failing_sweep_is_logged_and_the_others_still_run(
    registry: dict[str, schedules.Sweep], caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> int:
        raise RuntimeError("the database went away")

    schedules.register("broken", broken, order=1)
    schedules.register("after", lambda: 3, order=2)
    with caplog.at_level(logging.INFO, logger="herald.core.schedules"):
        done = schedules.run_all()
    assert done == {"after": 3}
    failed = [r for r in caplog.records if r.getMessage() == "Schedule sweep failed."]
    assert [r.sweep for r in failed] == ["broken"]  # type: ignore[attr-defined]
    assert failed[0].exc_info is not None
    assert "the database went away" in str(failed[0].exc_info[1])
