"""The kill drill's autopay processes, started as an operator starts them and restarted as one would.

`gateway worker` is kept running by its supervisor (systemd, the Procfile's platform): whenever it ends it
is started again. `gateway run-autopay` is a run the operator (or a cron) starts once: it is run again when
it was killed or stopped, or failed. One that ended on its own having done its part (status 0) is run
again only while the drill is still killing processes and work remains (`rerun_while`), so that there
are two processes to kill; after the last kill the workers alone must finish the day.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GATEWAY = str(Path(sys.executable).with_name("gateway"))
ROOT = Path(__file__).resolve().parent.parent
# How soon the operator, seeing the day not done, runs again a run-autopay that ended on its own.
RERUN_AFTER_SECONDS = 30.0
RESTART_SECONDS = 1.0
STOP_SECONDS = 30.0


@dataclass
class Exit:
    """How one process of a role ended."""

    pid: int
    started: float
    ended: float
    returncode: int
    signalled: str | None  # the drill's signal, when it sent one
    report: dict[str, Any] | None  # run-autopay's JSON report


@dataclass
class Supervised:
    """One role (`worker` or `run-autopay`), its current process and how each earlier one ended; `name`
    tells two of the same role apart in the logs and the figures."""

    name: str
    role: str
    environ: dict[str, str]
    logs: Path
    keep_running: bool
    process: asyncio.subprocess.Process | None = None
    started: float = 0.0
    signalled: str | None = None
    exits: list[Exit] = field(default_factory=list)
    reruns: int = 0
    closing: bool = False
    # While set (the kills go on), a run-autopay that ended on its own is run again if this says work remains.
    rerun_while: Callable[[], Awaitable[bool]] | None = None
    _stdout: Path | None = None

    @property
    def command(self) -> list[str]:
        return [GATEWAY, self.role]

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    @property
    def uptime(self) -> float:
        return time.monotonic() - self.started if self.alive else 0.0

    async def start(self) -> None:
        number = len(self.exits) + 1
        self._stdout = self.logs / f"{self.name}-{number}.json"
        log = (self.logs / f"{self.name}.log").open("ab")
        log.write(f"--- {self.name} #{number} started at {time.time():.3f}\n".encode())
        log.flush()
        # run-autopay's stdout is its JSON report; the worker's is log lines like its stderr.
        with log, self._stdout.open("wb") if self.role == "run-autopay" else log as out:
            self.process = await asyncio.create_subprocess_exec(
                *self.command, env=self.environ, cwd=ROOT, stdout=out, stderr=log
            )
        self.started = time.monotonic()
        self.signalled = None

    def send(self, number: signal.Signals) -> int:
        """Deliver `number` to the live process; its pid."""
        assert self.process is not None
        self.signalled = number.name
        self.process.send_signal(number)
        return self.process.pid

    async def supervise(self) -> None:
        """Wait for each process to end, note how, and start the next one as the operator would."""
        while self.process is not None:
            returncode = await self.process.wait()
            ended = Exit(
                self.process.pid, self.started, time.monotonic(), returncode, self.signalled, self._report()
            )
            self.exits.append(ended)
            if self.closing:
                return
            on_its_own = not self.keep_running and ended.signalled is None and returncode == 0
            await asyncio.sleep(RERUN_AFTER_SECONDS if on_its_own else RESTART_SECONDS)
            if self.closing or (on_its_own and not (self.rerun_while and await self.rerun_while())):
                return
            self.reruns += on_its_own
            await self.start()

    async def stop(self) -> None:
        """End of the drill: SIGTERM, then SIGKILL if it does not end in STOP_SECONDS; no restart."""
        self.closing = True
        if not self.alive:
            return
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), STOP_SECONDS)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

    def _report(self) -> dict[str, Any] | None:
        if self.role != "run-autopay" or self._stdout is None:
            return None
        with contextlib.suppress(OSError, ValueError, IndexError):
            report: dict[str, Any] = json.loads(self._stdout.read_text().strip().splitlines()[-1])
            return report
        return None

    def summary(self) -> dict[str, Any]:
        """How each process of this role ended (for the drill's JSON)."""
        return {
            "processes": len(self.exits) + (1 if self.alive else 0),
            "rerunsAfterEndingOnItsOwn": self.reruns,
            "exits": [
                {
                    "pid": e.pid,
                    "seconds": round(e.ended - e.started, 1),
                    "returncode": e.returncode,
                    "signalled": e.signalled,
                    **({"report": e.report} if e.report else {}),
                }
                for e in self.exits
            ],
        }
