"""Length-prefixed pickle messages over pipes, for the sandbox worker processes of the domains
(the SQL worker, the RDKit analyser). Standard library only: the SQL worker imports it at
start-up (``python -I``) and must stay fast to start.

A message is a 4-byte little-endian length followed by a pickle. Only our own worker processes
write to these pipes; model text travels inside the pickled objects as strings, never as code.
"""

from __future__ import annotations

import os
import pickle
import select
import struct
import time


def pack(obj) -> bytes:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return struct.pack("<I", len(data)) + data


def write_msg(stream, obj) -> None:
    stream.write(pack(obj))
    stream.flush()


def read_exact(fd: int, n: int, deadline: float | None) -> bytes:
    """``n`` bytes from ``fd``; ``TimeoutError`` past ``deadline`` (monotonic), ``EOFError`` when
    the other side closed."""
    buf = b""
    while len(buf) < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
        chunk = os.read(fd, n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def read_msg(fd: int, deadline: float | None):
    (size,) = struct.unpack("<I", read_exact(fd, 4, deadline))
    return pickle.loads(read_exact(fd, size, deadline))


class Reader:
    """Buffered reading of messages with a deadline: one ``os.read`` takes every answer already
    waiting in the pipe (a batch of fast answers costs a few system calls)."""

    def __init__(self, fd: int):
        self.fd, self.buf = fd, bytearray()

    def _fill(self, n: int, deadline: float) -> None:
        while len(self.buf) < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                raise TimeoutError
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                raise EOFError
            self.buf += chunk

    def read(self, deadline: float):
        self._fill(4, deadline)
        (size,) = struct.unpack_from("<I", self.buf)
        self._fill(4 + size, deadline)
        msg = pickle.loads(bytes(self.buf[4:4 + size]))
        del self.buf[:4 + size]
        return msg
