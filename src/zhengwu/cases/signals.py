"""Signals the cases app sends, so that other domains add to its documents without cases importing them.

Receivers are connected in the other app's ``AppConfig.ready()``; cases never imports that app.
"""

from __future__ import annotations

from django.dispatch import Signal

#: Sent (``send_robust``) while a receipt (申请回执) is rendered, with ``case``. A receiver returns
#: ``(png_bytes, caption)`` to print a QR code on the receipt, or None. The ratings app answers
#: with its 好差评 code; a receiver that fails costs the applicant nothing but the QR code.
receipt_qr = Signal()
