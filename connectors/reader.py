"""Reading a connector's records in chunks, in a child process, while the loader writes.

Parsing and validating (lxml, XSD, rules) is CPU work; matching and loading wait on the
database. Reading in a forked child process puts them on both cores. The child sends each chunk
as plain values (``connectors.wire``: far cheaper to serialise than dataclasses), and a thread
in the loader receives up to ``AHEAD`` chunks ahead of it, so neither side waits for the other
while both have work; memory stays flat (a few chunks in flight). A child never
outlives its loader: when the loader dies (even by SIGKILL) the pipe breaks and the child exits.
Where ``fork`` is unavailable the records are read by a thread instead (overlap with database
waits only).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import multiprocessing
import os
import pickle
import queue
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from multiprocessing.connection import Connection
from pathlib import Path

from connectors.base import Connector
from connectors.gcpace import pace_this_process
from connectors.records import ParsedRecord
from connectors.report import ValidationIssue
from connectors.wire import decode_chunk, encode_chunk
from hub.errors import FileRejectedError

AHEAD = 4  # chunks received ahead of the loader (each a few MB at most)
FIRST_FRACTION = 8  # the first chunk is this much smaller than the others
_Message = tuple[str, object]  # ("chunk", records) | ("end", file issues) | ("error", exception)
_CHUNK = b"C"  # first byte of a message from the child: a chunk (connectors.wire)...
_MESSAGE = b"M"  # ...or a pickled _Message ("end" or "error")


def chunked(records: Iterator[ParsedRecord], size: int) -> Iterator[list[ParsedRecord]]:
    """Consecutive lists of up to ``size`` records, the first ones smaller.

    The loader waits for the first chunk with nothing else to do, so it gets one soon: sizes
    start at an eighth of ``size`` and double up to it.
    """
    step = max(1, size // FIRST_FRACTION)
    while chunk := list(itertools.islice(records, step)):
        yield chunk
        step = min(size, step * 2)


class ChunkReader:
    """The chunks of one file, read ahead of the loader; ``file_issues`` once exhausted."""

    def __init__(self, connector: Connector, path: Path, size: int) -> None:
        self.connector = connector
        self.path = path
        self.size = size
        self.file_issues: list[ValidationIssue] = []

    async def chunks(self) -> AsyncGenerator[list[ParsedRecord], None]:
        """Yield chunks; the connector's exceptions are raised here, in the loader."""
        if "fork" in multiprocessing.get_all_start_methods():
            source = self._from_process()
        else:  # pragma: no cover - every platform the hub runs on can fork
            source = self._from_thread()
        async for chunk in source:
            yield chunk

    async def _from_process(self) -> AsyncIterator[list[ParsedRecord]]:
        context = multiprocessing.get_context("fork")
        receiving, sending = context.Pipe(duplex=False)
        child = context.Process(
            target=_produce,
            args=(self.connector, self.path, self.size, sending, receiving),
            name="ingest-reader",
            daemon=True,
        )
        child.start()
        sending.close()  # only the child writes: EOF here means the child is gone
        ahead = _Prefetch(receiving, asyncio.get_running_loop())
        try:
            while True:
                data = await ahead.get()
                if data is None:
                    raise FileRejectedError("the file reader stopped unexpectedly")
                # Decoded on the loop: records are then allocated by the thread that frees
                # them, which keeps the heap from growing with the file.
                view = memoryview(data)
                if view[:1] == _CHUNK:
                    yield decode_chunk(view[1:])
                    continue
                message: _Message = pickle.loads(view[1:])  # noqa: S301 - our own child's
                kind, payload = message
                if kind == "end":
                    self.file_issues = list(payload)  # type: ignore[call-overload]
                    return
                else:
                    raise payload  # type: ignore[misc]
        finally:
            ahead.stop()
            if child.is_alive():
                child.kill()
            await asyncio.to_thread(child.join, 5)

    async def _from_thread(self) -> AsyncIterator[list[ParsedRecord]]:
        ahead: queue.Queue[_Message] = queue.Queue(maxsize=2)
        stop = threading.Event()

        def produce() -> None:
            for message in _messages(self.connector, self.path, self.size):
                while not stop.is_set():
                    with contextlib.suppress(queue.Full):
                        ahead.put(message, timeout=0.1)
                        break
                if stop.is_set():
                    return

        threading.Thread(target=produce, name="ingest-reader", daemon=True).start()
        try:
            while True:
                kind, payload = await asyncio.to_thread(ahead.get)
                if kind == "chunk":
                    yield payload  # type: ignore[misc]
                elif kind == "end":
                    self.file_issues = list(payload)  # type: ignore[call-overload]
                    return
                else:
                    raise payload  # type: ignore[misc]
        finally:
            stop.set()


class _Prefetch:
    """A thread that receives the child's messages into the event loop, at most AHEAD ahead.

    The thread owns the receiving end and closes it when it stops: on end of file (the child
    finished or died), or once ``stop`` is called and the child is gone.
    """

    def __init__(self, conn: Connection, loop: asyncio.AbstractEventLoop) -> None:
        self._conn = conn
        self._loop = loop
        self._items: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._room = threading.Semaphore(AHEAD)
        self._stopped = threading.Event()
        threading.Thread(target=self._run, name="ingest-receiver", daemon=True).start()

    async def get(self) -> bytes | None:
        """The next message's bytes, or None when the child closed the pipe."""
        data = await self._items.get()
        self._room.release()
        return data

    def stop(self) -> None:
        """Stop receiving (the caller then ends the child, which ends a pending receive)."""
        self._stopped.set()

    def _run(self) -> None:
        try:
            while not self._stopped.is_set():
                if not self._room.acquire(timeout=0.1):
                    continue
                data: bytes | None
                try:
                    data = self._conn.recv_bytes()
                except (EOFError, OSError):
                    data = None
                try:
                    self._loop.call_soon_threadsafe(self._items.put_nowait, data)
                except RuntimeError:  # the loop is closed: nobody is listening any more
                    return
                if data is None:
                    return
        finally:
            self._conn.close()


def _messages(connector: Connector, path: Path, size: int) -> Iterator[_Message]:
    try:
        for chunk in chunked(connector.read(path), size):
            yield ("chunk", chunk)
        yield ("end", connector.file_issues())
    except FileRejectedError as error:
        yield ("error", FileRejectedError(error.message) if _unpicklable(error) else error)
    except Exception as error:  # noqa: BLE001 - the reader's top level: the loader must hear of it
        yield (
            "error",
            FileRejectedError(
                f"could not read the file: {type(error).__name__}: {str(error)[:300]}"
            ),
        )


def _produce(
    connector: Connector, path: Path, size: int, sending: Connection, receiving: Connection
) -> None:
    """The child: send every chunk, then the file's findings; exit when the loader is gone."""
    receiving.close()
    # The heap inherited from the loader is never garbage here: keep the collector off it
    # (collections would walk it for nothing, and copy its pages on write).
    pace_this_process()
    try:
        for kind, payload in _messages(connector, path, size):
            if kind == "chunk":
                sending.send_bytes(_CHUNK + encode_chunk(payload))  # type: ignore[arg-type]
            else:
                sending.send_bytes(_MESSAGE + pickle.dumps((kind, payload)))
    except (BrokenPipeError, ConnectionResetError):
        pass
    finally:
        sending.close()
        os._exit(0)  # skip the parent's inherited cleanup (its database connections are not ours)


def _unpicklable(error: BaseException) -> bool:
    """Whether an exception would fail to cross the pipe (a constructor with other arguments)."""
    try:
        pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object, round-tripped in memory
    except Exception:  # noqa: BLE001 - any failure means: send a plain FileRejectedError instead
        return True
    return False
