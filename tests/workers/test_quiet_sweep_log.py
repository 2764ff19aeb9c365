"""The worker's log: the 2-second relays' routine lines are dropped, everything else is kept."""

from __future__ import annotations

import logging

import pytest

from workers.runner import QuietRoutineJobs, quiet_routine_jobs


def record(level: int, message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("arq.worker", level, __file__, 1, message, args, None)


@pytest.mark.parametrize(
    ("level", "message", "args", "kept"),
    [
        (logging.INFO, "%6.2fs → %s()", (0.01, "cron:sweep_outbox"), False),
        (logging.INFO, "%6.2fs ← %s ● %s", (0.02, "cron:sweep_outbox", None), False),
        (logging.INFO, "%6.2fs → %s()", (0.98, "cron:carry_out_password_resets"), False),
        (logging.INFO, "%6.2fs ← %s ● %s", (0.01, "cron:carry_out_password_resets", 0), False),
        (logging.INFO, "%6.2fs → %s(%s)", (0.01, "abc123:send_email", "42"), True),
        (logging.ERROR, "%6.2fs ! %s failed", (0.01, "cron:sweep_outbox"), True),
    ],
)
def test_only_the_sweeps_routine_lines_are_dropped(
    level: int, message: str, args: tuple[object, ...], kept: bool
) -> None:
    """A sweep's start and end at INFO go; other jobs' lines and any failure stay."""
    assert QuietRoutineJobs().filter(record(level, message, *args)) is kept


def test_installing_twice_adds_one_filter() -> None:
    """Every worker built installs it; arq's logger ends up with a single one."""
    # when
    quiet_routine_jobs()
    quiet_routine_jobs()
    # then
    filters = [f for f in logging.getLogger("arq.worker").filters if isinstance(f, QuietRoutineJobs)]
    assert len(filters) == 1
