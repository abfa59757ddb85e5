"""Helper for the benchmarks (not a benchmark; skipped by ``make bench``): run a tool as its own
process and measure it."""

from __future__ import annotations

import os
import subprocess
import time


def run(args: list[str]) -> tuple[float, float]:
    """Run a command; return (wall seconds, peak RSS in MB) from ``os.wait4`` of that process."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args[:4])} … failed:\n{err}")
    return wall, usage.ru_maxrss / 1024
