"""The push server's ASGI application (bare ASGI under uvicorn; ADR 0043).

    GET /push/halls/{hall_id}/events[?window={window_id}]   text/event-stream
    GET /push/health                                        {"ok": true, "subscribers": n}

Each TicketEvent of the hall is sent as ``id: <event id>`` / ``event: <action>`` / ``data: <json>``;
``Last-Event-ID`` (the header EventSource sends when it reconnects, or ``?last_event_id=``) first
replays what was missed; a comment line every 15 s keeps proxies and the browser from timing out.
The stream carries what the public board shows (ticket and window numbers), so any page may read it
(``Access-Control-Allow-Origin: *``) unless ZHENGWU_PUSH_ORIGINS lists the allowed origins.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re

from .hub import Hub

logger = logging.getLogger("zhengwu.push")

HEARTBEAT_SECONDS = 15.0
RETRY_MS = 2000
_EVENTS = re.compile(r"/push/halls/(\d{1,18})/events/?")


def _allowed_origin(origin: str) -> str | None:
    allowed = [o.strip().rstrip("/") for o in os.environ.get("ZHENGWU_PUSH_ORIGINS", "").split(",") if o.strip()]
    if not allowed:
        return "*"
    return origin if origin.rstrip("/") in allowed else None


def _cors(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    allow = _allowed_origin(headers.get("origin", ""))
    if allow is None:
        return []
    out = [(b"access-control-allow-origin", allow.encode()), (b"access-control-allow-headers", b"last-event-id"),
           (b"access-control-allow-methods", b"GET, OPTIONS"), (b"access-control-max-age", b"600")]
    if allow != "*":
        out.append((b"vary", b"Origin"))
    return out


async def _json(send, status: int, body: dict, extra=()) -> None:
    data = json.dumps(body, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(data)).encode()), *extra]})
    await send({"type": "http.response.body", "body": data})


def _error(field: str, message: str) -> dict:
    return {"detail": f"{field}：{message}", "errors": {field: [message]}}


def _int_param(value: str | None, field: str):
    if value in (None, ""):
        return None, None
    if not value.isdigit() or len(value) > 18:
        return None, _error(field, "应为非负整数")
    return int(value), None


def frame(ev: dict) -> bytes:
    """One event in the SSE wire format."""
    data = json.dumps(ev, ensure_ascii=False, separators=(",", ":"))
    return f"id: {ev['event_id']}\nevent: {ev['action']}\ndata: {data}\n\n".encode()


class PushApp:
    def __init__(self, hub: Hub | None = None, heartbeat: float = HEARTBEAT_SECONDS):
        self._hub, self.heartbeat = hub, heartbeat

    @property
    def hub(self) -> Hub:
        if self._hub is None:
            from .store import DjangoEventStore

            self._hub = Hub(DjangoEventStore())
        return self._hub

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            return await self._lifespan(receive, send)
        if scope["type"] != "http":
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        cors = _cors(headers)
        path, method = scope["path"], scope["method"]
        if method == "OPTIONS":
            await send({"type": "http.response.start", "status": 204, "headers": cors})
            return await send({"type": "http.response.body", "body": b""})
        if path == "/push/health":
            return await _json(send, 200, {"ok": True, "subscribers": self.hub.count}, cors)
        m = _EVENTS.fullmatch(path)
        if m is None:
            return await _json(send, 404, {"detail": "未找到该地址", "errors": {}}, cors)
        if method not in ("GET", "HEAD"):
            return await _json(send, 405, {"detail": "仅支持 GET 请求", "errors": {}}, cors)
        from urllib.parse import parse_qs

        query = {k: v[-1] for k, v in parse_qs(scope.get("query_string", b"").decode("latin-1")).items()}
        window_id, err = _int_param(query.get("window"), "window")
        last_id, err2 = _int_param(headers.get("last-event-id") or query.get("last_event_id"), "Last-Event-ID")
        if err or err2:
            return await _json(send, 400, err or err2, cors)
        hall_id = int(m.group(1))
        try:
            exists = await self.hub.db(self.hub.store.hall_exists, hall_id, window_id)
        except Exception:
            logger.exception("push: database unavailable")
            return await _json(send, 503, {"detail": "服务暂不可用，请稍后重试", "errors": {}}, cors)
        if not exists:
            return await _json(send, 404, {"detail": "大厅或窗口不存在", "errors": {}}, cors)
        await self._stream(send, receive, cors, hall_id, window_id, last_id)

    async def _stream(self, send, receive, cors, hall_id, window_id, last_id):
        try:
            sub = await self.hub.subscribe(hall_id, window_id, last_id)
        except Exception:
            logger.exception("push: database unavailable")
            return await _json(send, 503, {"detail": "服务暂不可用，请稍后重试", "errors": {}}, cors)
        disconnected = asyncio.ensure_future(self._until_disconnect(receive))
        try:
            await send({"type": "http.response.start", "status": 200, "headers": [
                (b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-cache, no-transform"),
                (b"x-accel-buffering", b"no"), *cors]})
            await send({"type": "http.response.body", "body": f"retry: {RETRY_MS}\n: connected\n\n".encode(),
                        "more_body": True})
            while not disconnected.done():
                getter = asyncio.ensure_future(sub.queue.get())
                done, _ = await asyncio.wait({getter, disconnected}, timeout=self.heartbeat,
                                             return_when=asyncio.FIRST_COMPLETED)
                if getter not in done:
                    getter.cancel()
                    if not disconnected.done():
                        await send({"type": "http.response.body", "body": b": ping\n\n", "more_body": True})
                    continue
                ev = getter.result()
                if ev is None:  # closed by the hub (too slow, or shutting down)
                    break
                chunk = [frame(ev)]
                while not sub.queue.empty():  # everything already queued in one write
                    ev = sub.queue.get_nowait()
                    if ev is None:
                        break
                    chunk.append(frame(ev))
                await send({"type": "http.response.body", "body": b"".join(chunk), "more_body": True})
                if ev is None:
                    break
            if not disconnected.done():
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        except OSError:
            pass  # the client went away mid-write
        finally:
            disconnected.cancel()
            self.hub.unsubscribe(sub)

    @staticmethod
    async def _until_disconnect(receive) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    async def _lifespan(self, receive, send):
        while True:
            msg = await receive()
            if msg["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif msg["type"] == "lifespan.shutdown":
                if self._hub is not None:
                    await self.hub.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return


application = PushApp()


def serve(host: str = "127.0.0.1", port: int = 8001, *, app: PushApp | None = None, log_level: str = "warning"):
    """Run the push server (blocks): uvicorn, one process, its own event loop."""
    import uvicorn

    config = uvicorn.Config(app or application, host=host, port=port, log_level=log_level, access_log=False,
                            lifespan="on", timeout_graceful_shutdown=2, timeout_keep_alive=20)
    uvicorn.Server(config).run()
