"""The push server over HTTP: uvicorn in a thread on a free port, the real hub reading the database."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import time

import pytest

from tests.queueing.test_board_api import call, issue, make_hall


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_port_pair() -> int:
    """A free port whose next one is free too (the push server takes the web port + 1)."""
    for _ in range(50):
        port = free_port()
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no two free ports in a row")


@contextlib.contextmanager
def push_server(port: int | None = None):
    """``zhengwu push`` in this process: a fresh app and hub, uvicorn in a thread; yields its port."""
    import uvicorn

    from zhengwu.queueing.push.app import PushApp

    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(PushApp(), host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="on", timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "push server did not start"
        time.sleep(0.02)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(10)


class Stream:
    """A minimal SSE client: reads events off one connection."""

    def __init__(self, port, path, headers=None):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        self.conn.request("GET", path, headers={"Accept": "text/event-stream", "Origin": "http://127.0.0.1:8000",
                                                **(headers or {})})
        self.resp = self.conn.getresponse()

    def next_event(self, timeout=3.0) -> dict:
        self.conn.sock.settimeout(timeout)
        fields: dict = {}
        while True:
            line = self.resp.fp.readline().decode().rstrip("\n")
            if line == "":
                if "data" in fields:
                    return {**fields, "data": json.loads(fields["data"])}
                continue
            if line.startswith(":"):
                continue
            key, _, value = line.partition(": ")
            fields[key] = value

    def close(self):
        self.conn.close()


@pytest.fixture
def hall(transactional_db, district):
    return make_hall(district, windows=("3", "5"))


def test_a_call_made_after_connecting_is_pushed(hall):
    w3, w5 = hall.windows.order_by("number")
    with push_server() as port:
        board = Stream(port, f"/push/halls/{hall.pk}/events")
        screen = Stream(port, f"/push/halls/{hall.pk}/events?window={w5.pk}")
        assert board.resp.status == 200
        assert board.resp.getheader("Content-Type").startswith("text/event-stream")
        assert board.resp.getheader("Access-Control-Allow-Origin") == "*"
        time.sleep(0.3)
        t1, t2 = issue(hall), issue(hall)
        started = time.monotonic()
        e1 = call(t1, w3)
        e2 = call(t2, w5)
        got = [board.next_event() for _ in range(4)]
        elapsed = time.monotonic() - started
        assert [g["event"] for g in got] == ["issue", "issue", "call", "call"]
        assert got[2]["id"] == str(e1.pk)
        assert got[2]["data"]["text"] == "请 A001 号到 3 号窗口" and got[2]["data"]["ticket"] == "A001"
        assert got[3]["data"]["waiting"] == {"A": 0, "B": 0}
        assert elapsed < 1.5
        only5 = screen.next_event()
        assert only5["id"] == str(e2.pk) and only5["data"]["window"] == "5"
        board.close()
        screen.close()


def test_last_event_id_resumes(hall):
    window = hall.windows.order_by("number").first()
    t = issue(hall)
    e = call(t, window)
    later = call(issue(hall), window)
    with push_server() as port:
        s = Stream(port, f"/push/halls/{hall.pk}/events", headers={"Last-Event-ID": str(e.pk)})
        got = [s.next_event(), s.next_event()]
        assert [int(g["id"]) for g in got] == [later.pk - 1, later.pk]  # the issue, then the call
        s.close()
        q = Stream(port, f"/push/halls/{hall.pk}/events?last_event_id={later.pk - 1}")
        assert int(q.next_event()["id"]) == later.pk
        q.close()


def test_bad_requests_get_a_json_error(hall):
    with push_server() as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        for path, status, text in [("/push/halls/999999/events", 404, "大厅或窗口不存在"),
                                   (f"/push/halls/{hall.pk}/events?window=x", 400, "window"),
                                   ("/push/nothing", 404, "未找到")]:
            conn.request("GET", path)
            r = conn.getresponse()
            body = r.read().decode()
            assert r.status == status and text in body and r.getheader("Content-Type").startswith("application/json")
        conn.request("GET", "/push/health")
        assert json.loads(conn.getresponse().read()) == {"ok": True, "subscribers": 0}
        conn.close()


def test_serve_starts_the_push_server_as_a_child_and_stops_it(monkeypatch):
    from zhengwu.core import companions

    [push] = [c for c in companions.registered() if c.name == "push"]

    def start_push(host, port):
        return companions.start(push, host, port)

    stop_push = companions.stop

    monkeypatch.setenv("ZHENGWU_PUSH", "off")
    assert start_push("127.0.0.1", 8000) is None
    monkeypatch.delenv("ZHENGWU_PUSH")
    monkeypatch.setenv("ZHENGWU_PUSH_PORT", "")  # recorded, so that the port start_push sets is undone
    monkeypatch.delenv("ZHENGWU_PUSH_PORT")
    web = free_port_pair()
    proc = start_push("127.0.0.1", web)
    try:
        import os

        assert os.environ["ZHENGWU_PUSH_PORT"] == str(web + 1)  # what the web workers inherit
        deadline, answer = time.monotonic() + 60, None
        while answer is None and time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", web + 1, timeout=2)
                conn.request("GET", "/push/health")
                answer = json.loads(conn.getresponse().read())
            except OSError:
                assert proc.poll() is None, "the push server exited"
                time.sleep(0.2)
        assert answer == {"ok": True, "subscribers": 0}
    finally:
        stop_push(proc)
    assert proc.returncode is not None
