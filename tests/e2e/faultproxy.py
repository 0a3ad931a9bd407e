"""A small TCP proxy to put between a process and Redis or PostgreSQL, to
cut, stall or refuse its connections without touching the machine's shared
servers.

It runs an asyncio loop in a daemon thread of the test process::

    proxy = FaultProxy(("127.0.0.1", 6379)).start()
    url = f"redis://127.0.0.1:{proxy.port}/6"
    proxy.set_mode("refuse")     # new connections closed at once
    proxy.reset_connections()    # cut every open connection
    proxy.set_mode("blackhole")  # accept, then never answer (a hung server)
    proxy.set_mode("pass")
    proxy.stop()
"""

import asyncio
import contextlib
import threading

MODES = ("pass", "refuse", "blackhole")


class FaultProxy:
    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self.mode = "pass"
        self.accepted = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    # Control, from the test's thread.

    def start(self) -> "FaultProxy":
        self._thread.start()
        self._call(self._start_server())
        return self

    def stop(self) -> None:
        self._call(self._stop_server())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.mode = mode

    def reset_connections(self) -> int:
        """Close every open connection (both sides); return how many."""
        return self._call(self._close_all())

    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(10)

    # Inside the loop.

    async def _start_server(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop_server(self) -> None:
        await self._close_all()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _close_all(self) -> int:
        writers = list(self._writers)
        for writer in writers:
            writer.transport.abort()
        self._writers.clear()
        return len(writers)

    async def _handle(self, reader, writer) -> None:
        self.accepted += 1
        if self.mode == "refuse":
            writer.transport.abort()
            return
        self._writers.add(writer)
        if self.mode == "blackhole":
            await self._swallow(reader)
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(
                *self.target
            )
        except OSError:
            writer.transport.abort()
            return
        self._writers.add(upstream_writer)
        await asyncio.gather(
            self._pipe(reader, upstream_writer),
            self._pipe(upstream_reader, writer),
        )

    async def _swallow(self, reader) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while await reader.read(65536):
                pass

    async def _pipe(self, reader, writer) -> None:
        try:
            while True:
                if self.mode == "blackhole":
                    # A hung server: keep reading, forward nothing.
                    await self._swallow(reader)
                    break
                data = await reader.read(65536)
                if not data:
                    break
                if self.mode == "blackhole":
                    # Switched while waiting: what just came is lost too.
                    continue
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            self._writers.discard(writer)
            writer.transport.abort()
