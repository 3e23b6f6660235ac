"""The push hub in-process (no database, no server): fan-out, window filter, resume, gaps, slow clients."""

from __future__ import annotations

import asyncio

from zhengwu.queueing.push.app import frame
from zhengwu.queueing.push.hub import Hub


def ev(i, hall=1, window=None, action="call"):
    return {"event_id": i, "hall": hall, "window_id": window, "action": action, "ticket": f"A{i:03d}",
            "window": "3", "text": f"请 A{i:03d} 号到 3 号窗口", "at": ""}


class FakeStore:
    """TicketEvent rows in a list; ``visible`` hides ids not yet committed."""

    def __init__(self):
        self.rows: list[dict] = []
        self.hidden: set[int] = set()
        self.backlog_started = None  # an asyncio-free hook: called while a backlog is read

    def add(self, *events, hidden=False):
        self.rows.extend(events)
        if hidden:
            self.hidden.update(e["event_id"] for e in events)

    def visible(self):
        return [r for r in self.rows if r["event_id"] not in self.hidden]

    def latest_id(self):
        return max((r["event_id"] for r in self.visible()), default=0)

    def since(self, after, gaps, halls, limit=1000):
        rows = sorted((r for r in self.visible() if r["event_id"] > after or r["event_id"] in gaps),
                      key=lambda r: r["event_id"])[:limit]
        return [dict(r) for r in rows if r["hall"] in halls], [r["event_id"] for r in rows]

    def backlog(self, hall, after, limit=200):
        if self.backlog_started:
            self.backlog_started()
        return [dict(r) for r in sorted(self.visible(), key=lambda r: r["event_id"])
                if r["hall"] == hall and r["event_id"] > after][-limit:]

    def hall_exists(self, hall, window=None):
        return True

    def close(self):
        pass


def drain(sub):
    out = []
    while not sub.queue.empty():
        out.append(sub.queue.get_nowait())
    return out


def run(coro):
    """asyncio.run in a thread of its own: Playwright's sync API may have left a loop running in this one."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result(timeout=30)


def test_fan_out_to_every_subscriber_of_the_hall_only():
    async def go():
        store = FakeStore()
        store.add(ev(1))
        hub = Hub(store, interval=60)
        a, b = await hub.subscribe(1), await hub.subscribe(1)
        other = await hub.subscribe(2)
        win = await hub.subscribe(1, window_id=7)
        store.add(ev(2), ev(3, hall=2), ev(4, window=7))
        assert await hub.poll_once() == 3
        got = [[e["event_id"] for e in drain(s)] for s in (a, b, other, win)]
        await hub.stop()
        return got

    a, b, other, win = run(go())
    assert a == [2, 4] and b == [2, 4]  # nothing from before they subscribed
    assert other == [3]
    assert win == [4]


def test_resume_sends_missed_events_then_live_ones_once_in_order():
    async def go():
        store = FakeStore()
        store.add(ev(1), ev(2), ev(3))
        hub = Hub(store, interval=60)
        live = await hub.subscribe(1)
        # While the resuming subscriber's backlog is read, the hub publishes 4 and 5 (it must hold them).
        store.add(ev(4), ev(5))
        store.backlog_started = lambda: None
        task = asyncio.ensure_future(hub.subscribe(1, last_event_id=1))
        await asyncio.sleep(0)
        await hub.poll_once()
        resumed = await task
        store.add(ev(6))
        await hub.poll_once()
        out = [e["event_id"] for e in drain(resumed)], [e["event_id"] for e in drain(live)]
        await hub.stop()
        return out

    resumed, live = run(go())
    assert resumed == [2, 3, 4, 5, 6]
    assert live == [4, 5, 6]


def test_an_id_committed_late_is_still_delivered():
    async def go():
        store = FakeStore()
        hub = Hub(store, interval=60)
        sub = await hub.subscribe(1)
        store.add(ev(1), hidden=True)  # inserted first, committed last
        store.add(ev(2))
        await hub.poll_once()
        first = [e["event_id"] for e in drain(sub)]
        store.hidden.clear()
        await hub.poll_once()
        second = [e["event_id"] for e in drain(sub)]
        await hub.poll_once()
        third = [e["event_id"] for e in drain(sub)]
        gaps = dict(hub.gaps)
        await hub.stop()
        return first, second, third, gaps

    first, second, third, gaps = run(go())
    assert first == [2] and second == [1] and third == [] and gaps == {}


def test_a_gap_never_filled_is_forgotten():
    async def go():
        store = FakeStore()
        hub = Hub(store, interval=60, gap_seconds=0)
        await hub.subscribe(1)
        store.add(ev(3))
        await hub.poll_once()
        assert set(hub.gaps) == {1, 2}
        await hub.poll_once()
        gaps = dict(hub.gaps)
        await hub.stop()
        return gaps

    assert run(go()) == {}


def test_a_subscriber_too_slow_is_dropped_and_its_stream_closed():
    async def go():
        store = FakeStore()
        hub = Hub(store, interval=60)
        slow = await hub.subscribe(1, maxsize=2)
        store.add(ev(1), ev(2), ev(3))
        await hub.poll_once()
        events = drain(slow)
        count = hub.count
        await hub.stop()
        return events, count

    events, count = run(go())
    assert events[-1] is None  # the stream's end marker (the client reconnects with Last-Event-ID)
    assert count == 0


def test_the_hub_polls_by_itself_while_someone_listens():
    async def go():
        store = FakeStore()
        hub = Hub(store, interval=0.01)
        sub = await hub.subscribe(1)
        store.add(ev(1))
        got = await asyncio.wait_for(sub.queue.get(), 2)
        await hub.stop()
        return got

    assert run(go())["event_id"] == 1


def test_sse_frame():
    assert frame(ev(12)) == ('id: 12\nevent: call\ndata: {"event_id":12,"hall":1,"window_id":null,"action":"call",'
                             '"ticket":"A012","window":"3","text":"请 A012 号到 3 号窗口","at":""}\n\n').encode()
