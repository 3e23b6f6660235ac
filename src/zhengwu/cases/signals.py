"""Signals the cases app sends, so that other domains add to its documents without cases importing them.

Receivers are connected in the other app's ``AppConfig.ready()``; cases never imports that app.
"""

from __future__ import annotations

from django.dispatch import Signal

#: Sent (``send_robust``) while a receipt (申请回执) is rendered, with ``case``. A receiver returns
#: ``(png_bytes, caption)`` to print a QR code on the receipt, or None. The ratings app answers
#: with its 好差评 code; a receiver that fails costs the applicant nothing but the QR code.
receipt_qr = Signal()

#: Sent (``send``, not robust: a failing receiver fails the delivery) by
#: :func:`zhengwu.cases.services.approval.deliver` with the locked ``case`` before 送达 is
#: registered. A receiver returns a Chinese reason to refuse delivery (the payments app: the
#: case's 缴款单 is unpaid), or None.
delivery_check = Signal()
