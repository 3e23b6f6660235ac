"""The one write path of the cases app, one module per stage:

- :mod:`.applying` — drafts, uploads, submission (idempotent), withdrawal, 一件事 applications;
- :mod:`.intake` — 受理, 补正, 不予受理, 容缺受理, 告知承诺;
- :mod:`.approval` — process steps, 特别程序, 办结, 送达, process definitions;
- :mod:`.notify` — in-app notifications and the SMS gateway plugins;
- :mod:`.base` — the transition helper every stage uses (lock, history, audit, notification).
"""
