"""One run at a time per run folder: an advisory lock on ``RUN/.foundry.lock``.

Two ``foundry <domain> pipeline --resume --out RUN`` at once would both redo the unfinished stages
into the same folders. The pipeline verb holds :class:`RunLock` for the whole run: a second command
on the same folder stops at once (exit 2, naming the holder's PID and host). The lock is the
kernel's (``fcntl.flock``), so it ends with the process that held it, a SIGKILL included: a stale
lock file from a killed run is taken over without any action (and said so). The file stays in the
folder (removing it would race with a waiting process); it holds the holder's PID, host and command.

Under ``--launcher`` the process that relaunches holds the lock while its children run
(:data:`HELD_ENV` tells them); under a bare ``accelerate launch`` rank 0 takes it.

Limits: ``flock`` is advisory and local to one kernel on some network file systems (older NFS): two
hosts sharing a run folder over such a mount are not kept apart. On systems without ``fcntl``
(Windows) no lock is taken.
"""

from __future__ import annotations

import json
import os
import socket
import sys

from r1_foundry.core.util.errors import FoundryError

LOCK_NAME = ".foundry.lock"
HELD_ENV = "R1_FOUNDRY_RUN_LOCK"  # the folder whose lock a parent process (our relaunch) holds

try:
    import fcntl
except ImportError:  # Windows: no lock
    fcntl = None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


class RunLock:
    """Hold the lock of ``folder`` (created if missing) for a ``with`` block.

    Example:
        >>> with RunLock("runs/sql"):  # doctest: +SKIP
        ...     run_pipeline(recipe, "runs/sql", resume=True)
    """

    def __init__(self, folder: str, what: str = "run"):
        self.folder, self.what = folder, what
        self.path = os.path.join(folder, LOCK_NAME)
        self._fh = None
        self.took_over: dict | None = None  # the record of a killed holder whose lock file was left

    def acquire(self) -> RunLock:
        if fcntl is None or os.environ.get(HELD_ENV) == os.path.abspath(self.folder):
            return self
        os.makedirs(self.folder, exist_ok=True)
        fh = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _read(fh)
            fh.close()
            who = f"PID {holder.get('pid', '?')} on {holder.get('host', '?')}" if holder else "another process"
            cmd = f" ({holder['command']})" if holder.get("command") else ""
            raise FoundryError(f"{self.folder}: another {self.what} is using this folder: {who}{cmd}; wait for "
                               f"it to end or stop it (the lock is {self.path})") from None
        previous = _read(fh)
        if previous and previous.get("pid") != os.getpid():
            self.took_over = previous
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                             "command": " ".join(os.path.basename(a) if i == 0 else a
                                                 for i, a in enumerate(sys.argv))[:500]}) + "\n")
        fh.flush()
        self._fh = fh
        return self

    def release(self) -> None:
        if self._fh is not None:
            try:
                self._fh.seek(0)
                self._fh.truncate()  # an empty file: nobody holds it
                fcntl.flock(self._fh, fcntl.LOCK_UN)
            finally:
                self._fh.close()
                self._fh = None

    def stale_note(self) -> str:
        """A line about the killed run whose lock was taken over ("" when none)."""
        p = self.took_over
        if not p:
            return ""
        state = "no longer running" if p.get("host") != socket.gethostname() or not _alive(int(p.get("pid", 0) or 0)) \
            else "ended without releasing it"
        return f"took over the lock of {self.folder} left by PID {p.get('pid', '?')} ({state})"

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _read(fh) -> dict:
    try:
        fh.seek(0)
        text = fh.read().strip()
        data = json.loads(text) if text else {}
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}
