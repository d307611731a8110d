"""Reading a connector's records in chunks, in a child process, while the loader writes.

Parsing and validating (lxml, XSD, rules) is CPU work; matching and loading wait on the
database. Reading in a forked child process puts them on both cores: the child streams pickled
chunks through a pipe that holds at most a chunk or two, so memory stays flat. A child never
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
from collections.abc import AsyncIterator, Iterator
from multiprocessing.connection import Connection
from pathlib import Path

from connectors.base import Connector
from connectors.records import ParsedRecord
from connectors.report import ValidationIssue
from hub.errors import FileRejectedError

_Message = tuple[str, object]  # ("chunk", records) | ("end", file issues) | ("error", exception)


def chunked(records: Iterator[ParsedRecord], size: int) -> Iterator[list[ParsedRecord]]:
    """Consecutive lists of up to ``size`` records."""
    while chunk := list(itertools.islice(records, size)):
        yield chunk


class ChunkReader:
    """The chunks of one file, read ahead of the loader; ``file_issues`` once exhausted."""

    def __init__(self, connector: Connector, path: Path, size: int) -> None:
        self.connector = connector
        self.path = path
        self.size = size
        self.file_issues: list[ValidationIssue] = []

    async def chunks(self) -> AsyncIterator[list[ParsedRecord]]:
        """Yield chunks; the connector's exceptions are raised here, in the loader."""
        if "fork" in multiprocessing.get_all_start_methods():
            source = self._from_process()
        else:  # pragma: no cover - every platform the hub runs on can fork
            source = self._from_thread()
        async for chunk in source:
            yield chunk

    async def _from_process(self) -> AsyncIterator[list[ParsedRecord]]:
        receiving, sending = multiprocessing.get_context("fork").Pipe(duplex=False)
        child = multiprocessing.get_context("fork").Process(
            target=_produce,
            args=(self.connector, self.path, self.size, sending, receiving),
            name="ingest-reader",
            daemon=True,
        )
        child.start()
        sending.close()  # only the child writes: EOF here means the child is gone
        try:
            while True:
                try:
                    data = await asyncio.to_thread(receiving.recv_bytes)
                except EOFError:
                    raise FileRejectedError("the file reader stopped unexpectedly") from None
                # Read off the loop, unpickled on it: records are then allocated by the thread
                # that frees them, which keeps the heap from growing with the file.
                message: _Message = pickle.loads(data)  # noqa: S301 - our own child's records
                kind, payload = message
                if kind == "chunk":
                    yield payload  # type: ignore[misc]
                elif kind == "end":
                    self.file_issues = list(payload)  # type: ignore[call-overload]
                    return
                else:
                    raise payload  # type: ignore[misc]
        finally:
            receiving.close()
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
    try:
        for message in _messages(connector, path, size):
            sending.send(message)
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
