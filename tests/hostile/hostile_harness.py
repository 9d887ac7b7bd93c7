"""Run the command line on one file in a child process with hard resource limits.

The kernel enforces the limits: RLIMIT_AS caps the address space of the child (and of every
worker process it starts) at :data:`ADDRESS_SPACE_LIMIT`, RLIMIT_CPU kills it after
:data:`CPU_LIMIT_S` seconds of CPU. A run that passes a limit dies (MemoryError, SIGKILL or
SIGXCPU) instead of finishing, so "it finished with a sentence" is the time measurement. The
address-space cap is a safety net set above the 1 GB goal, because address space is not
memory (Python with NumPy and Arrow reserves about 1.5 GB of it while resident in 150 MB);
the 1 GB goal is checked on the measured peak resident memory, :data:`PEAK_RSS_GOAL_MB`. Peak resident memory comes
and CPU time come from ``wait4`` for the child (its largest process, and the CPU of the child
and the worker processes it waited for). Wall time is reported too, but on a shared machine it
depends on the load; the CPU limit is the bound.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ADDRESS_SPACE_LIMIT = 3 << 30  # per process
PEAK_RSS_GOAL_MB = 1024
CPU_LIMIT_S = 30


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    peak_rss_mb: float
    wall_s: float
    cpu_s: float
    #: peak of the summed resident memory of the child and its worker processes, sampled
    #: every 20 ms (an upper bound: pages shared after fork are counted in every process)
    tree_peak_mb: float = 0.0

    @property
    def killed(self) -> str:
        """The signal that ended the child ('' when it exited by itself)."""
        return signal.Signals(-self.returncode).name if self.returncode < 0 else ""


def _limits(memory: int, cpu_s: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))


def run_cli(*args: str, env: dict[str, str] | None = None, memory: int = ADDRESS_SPACE_LIMIT,
            cpu_s: int = CPU_LIMIT_S) -> Run:
    """``python -m stridewise ARGS`` under the limits; output captured to files (no pipes
    that could block a large output)."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), **(env or {})}
    full_env.pop("CI", None)
    out_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"hostile-{os.getpid()}-{time.time_ns()}"
    t0 = time.monotonic()
    with open(f"{out_path}.out", "w+b") as out, open(f"{out_path}.err", "w+b") as err:
        proc = subprocess.Popen([sys.executable, "-m", "stridewise", *args], stdout=out,
                                stderr=err, env=full_env, cwd=ROOT,
                                preexec_fn=lambda: _limits(memory, cpu_s))
        peak = [0.0]
        stop = threading.Event()
        sampler = threading.Thread(target=_sample_tree, args=(proc.pid, peak, stop), daemon=True)
        sampler.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        stop.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - t0
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    for suffix in (".out", ".err"):
        Path(f"{out_path}{suffix}").unlink(missing_ok=True)
    return Run(proc.returncode, stdout, stderr, usage.ru_maxrss / 1024, wall,
               usage.ru_utime + usage.ru_stime, peak[0])


def _tree_rss_mb(root: int) -> float:
    """Summed VmRSS of ``root`` and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    total_kb, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/status") as fh:
                total_kb += next((int(ln.split()[1]) for ln in fh if ln.startswith("VmRSS:")), 0)
        except OSError:
            continue
    return total_kb / 1024


def _sample_tree(root: int, peak: list[float], stop: threading.Event) -> None:
    while not stop.wait(0.02):
        peak[0] = max(peak[0], _tree_rss_mb(root))
