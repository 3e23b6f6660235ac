"""The push server (``zhengwu push``): the call boards' live event stream over SSE (ADR 0043).

``hub`` fans TicketEvent rows out to subscribers' queues (pure asyncio, the store injected),
``store`` reads them with the Django ORM (run in the hub's one worker thread), ``app`` is the bare
ASGI application uvicorn serves, ``urls`` says where pages find it.
"""
