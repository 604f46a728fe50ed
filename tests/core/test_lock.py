"""One pipeline per run folder (issue 30, point 8): tested with real second processes."""

import os
import signal
import subprocess
import sys
import time

import pytest

from r1_foundry.core.util.errors import FoundryError
from r1_foundry.core.util.lock import LOCK_NAME, RunLock

_HOLD = """
import sys, time
from r1_foundry.core.util.lock import RunLock
lock = RunLock(sys.argv[1]).acquire()
print("held", flush=True)
time.sleep(120)
"""


def _holder(folder) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", _HOLD, str(folder)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_second_pipeline_on_a_folder_exits_2_naming_the_holder(tmp_path):
    """`pipeline --resume` while another process holds the folder: one line naming its PID, exit 2, nothing
    written; after that process is SIGKILLed (its lock file left behind) the folder is taken over."""
    from typer.testing import CliRunner

    from r1_foundry.core.cli.app import build_root

    run = tmp_path / "run"
    run.mkdir()
    (run / "recipe.yaml").write_text("kept: as it was\n")
    holder = _holder(run)
    try:
        res = CliRunner().invoke(build_root(), ["medical", "pipeline", "--preset", "smoke", "--out", str(run),
                                                "--resume"])
        assert res.exit_code == 2, res.output
        text = res.output.replace("\n", "")
        assert f"PID {holder.pid}" in text and "another pipeline is using this folder" in text, text
        assert "Traceback" not in res.output
        assert (run / "recipe.yaml").read_text() == "kept: as it was\n"
        assert sorted(p.name for p in run.iterdir()) == [LOCK_NAME, "recipe.yaml"]
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert str(holder.pid) in (run / LOCK_NAME).read_text()  # a killed holder leaves its record
    with RunLock(str(run)) as lock:  # ... and the kernel's lock is gone with it: taken over
        assert lock.took_over["pid"] == holder.pid
        assert f"left by PID {holder.pid}" in lock.stale_note()
        assert str(os.getpid()) in (run / LOCK_NAME).read_text()
    with RunLock(str(run)) as lock:  # released cleanly: nothing to take over
        assert lock.took_over is None and lock.stale_note() == ""


def test_lock_is_exclusive_between_processes_and_released_on_exit(tmp_path):
    holder = _holder(tmp_path)
    try:
        with pytest.raises(FoundryError, match=f"PID {holder.pid}"):
            RunLock(str(tmp_path)).acquire()
    finally:
        holder.terminate()
        holder.wait()
    deadline = time.monotonic() + 10
    while True:  # SIGTERM: the process ended, the kernel dropped the lock
        try:
            RunLock(str(tmp_path)).acquire().release()
            break
        except FoundryError:
            assert time.monotonic() < deadline
            time.sleep(0.05)
