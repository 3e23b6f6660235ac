"""One hub per push-server process: polls the TicketEvent stream and fans it out to subscribers.

The hub reads the database in ONE worker thread (the store's calls; Django's connection stays in
that thread and is closed when the hub stops) every ``interval`` seconds while anyone listens,
and puts each new event on the asyncio queue of every subscriber of the event's hall (and window,
when a subscriber follows one window). A subscriber resuming with Last-Event-ID is first sent the
events it missed, then the live ones, each id once and in order.

Ids are handed out when a row is inserted but become visible at commit, so with concurrent writers
(PostgreSQL) id 100 can appear after 101 was read. An id skipped by a read is remembered as a gap
and looked for again for ``gap_seconds``; a gap never filled was a rolled-back insert.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor

logger = logging.getLogger("zhengwu.push")


class Subscriber:
    """One open stream: a hall (and optionally one window of it)."""

    def __init__(self, hall_id: int, window_id: int | None = None, maxsize: int = 1000):
        self.hall_id, self.window_id = hall_id, window_id
        self.queue: asyncio.Queue = asyncio.Queue(maxsize)
        self.floor = 0  # ids up to this one were before the subscription (or resumed from)
        self._sent: set[int] = set()  # ids sent recently: a late-committed id may come after a higher one
        self._order: deque[int] = deque()
        self.closed = False
        self._resuming: list[dict] | None = None

    def wants(self, ev: dict) -> bool:
        return ev["hall"] == self.hall_id and (self.window_id is None or ev.get("window_id") == self.window_id)

    def offer(self, ev: dict) -> bool:
        """Queue ``ev`` unless already sent; False when the queue is full (too slow: dropped)."""
        if self._resuming is not None:
            self._resuming.append(ev)
            return True
        i = ev["event_id"]
        if i <= self.floor or i in self._sent or not self.wants(ev):
            return True
        try:
            self.queue.put_nowait(ev)
        except asyncio.QueueFull:
            return False
        self._sent.add(i)
        self._order.append(i)
        if len(self._order) > 2000:
            self._sent.discard(self._order.popleft())
        return True

    def close(self) -> None:
        """Tell the stream to end (its client reconnects with Last-Event-ID)."""
        if not self.closed:
            self.closed = True
            try:
                self.queue.put_nowait(None)
            except asyncio.QueueFull:
                self.queue.get_nowait()
                self.queue.put_nowait(None)


class Hub:
    def __init__(self, store, *, interval: float = 0.2, gap_seconds: float = 10.0):
        self.store, self.interval, self.gap_seconds = store, interval, gap_seconds
        self.subscribers: dict[int, set[Subscriber]] = {}
        self.cursor: int | None = None
        self.gaps: dict[int, float] = {}
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zhengwu-push-db")
        self._task: asyncio.Task | None = None
        self._wake = asyncio.Event()

    # -- the database, in the one worker thread -------------------------------------------------
    async def db(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    # -- subscribers ------------------------------------------------------------------------------
    @property
    def count(self) -> int:
        return sum(len(s) for s in self.subscribers.values())

    async def subscribe(self, hall_id: int, window_id: int | None = None, last_event_id: int | None = None,
                        maxsize: int = 1000) -> Subscriber:
        """A new subscriber; with ``last_event_id`` it is first sent every later event of its hall."""
        if self.cursor is None:
            self.cursor = await self.db(self.store.latest_id)
        sub = Subscriber(hall_id, window_id, maxsize)
        if last_event_id is None:
            sub.floor = self.cursor  # only what happens from now on
            self.subscribers.setdefault(hall_id, set()).add(sub)
            self.start()
            return sub
        sub.floor, sub._resuming = last_event_id, []
        self.subscribers.setdefault(hall_id, set()).add(sub)  # live events are held while the backlog is read
        self.start()
        try:
            backlog = await self.db(self.store.backlog, hall_id, last_event_id)
        except Exception:
            self.unsubscribe(sub)
            raise
        held, sub._resuming = sub._resuming, None
        for ev in sorted(backlog + held, key=lambda e: e["event_id"]):
            if not sub.offer(ev):
                sub.close()
                break
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        subs = self.subscribers.get(sub.hall_id)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self.subscribers[sub.hall_id]

    def publish(self, events: list[dict]) -> None:
        """Fan ``events`` (in id order) out to their halls' subscribers; a full queue drops its subscriber."""
        for ev in events:
            for sub in list(self.subscribers.get(ev["hall"], ())):
                if not sub.offer(ev):
                    logger.warning("push: subscriber of hall %s too slow, disconnected", sub.hall_id)
                    sub.close()
                    self.unsubscribe(sub)

    # -- polling ----------------------------------------------------------------------------------
    async def poll_once(self) -> int:
        """Read new events once and publish them; returns how many were published."""
        if self.cursor is None:
            self.cursor = await self.db(self.store.latest_id)
        now = time.monotonic()
        self.gaps = {i: t for i, t in self.gaps.items() if now - t < self.gap_seconds}
        events, ids = await self.db(self.store.since, self.cursor, sorted(self.gaps), set(self.subscribers))
        for i in ids:
            self.gaps.pop(i, None)
        new = [i for i in ids if i > self.cursor]
        if new:
            expected = self.cursor + 1
            for i in new:
                for missing in range(expected, i):
                    self.gaps[missing] = now
                expected = i + 1
            self.cursor = new[-1]
        self.publish(events)
        return len(events)

    async def run(self) -> None:
        while True:
            try:
                if self.subscribers:
                    await self.poll_once()
                    await asyncio.sleep(self.interval)
                else:
                    self.cursor = None  # nobody listens: start afresh with the next subscriber
                    self._wake.clear()
                    await self._wake.wait()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("push: reading ticket events failed; retrying")
                await self.db(self.store.close)
                await asyncio.sleep(1.0)

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self.run())
        self._wake.set()

    async def stop(self) -> None:
        for subs in list(self.subscribers.values()):
            for sub in list(subs):
                sub.close()
        self.subscribers.clear()
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
            self._task = None
        try:
            await self.db(self.store.close)
        finally:
            self._executor.shutdown(wait=False)
