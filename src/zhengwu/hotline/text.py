"""One jieba tokenizer for the hotline's text (knowledge suggestions, the dispatch model): jieba's
own dictionary only. Private to this app, and nothing may add words to it: words the catalogue
search adds to jieba's shared dictionary must not change what a trained model sees or how the
knowledge base matches. Loading it takes about a second and some 50 MB, once per process."""

from __future__ import annotations

import threading

_tokenizer = None
_lock = threading.Lock()


def tokenizer():
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import logging

                import jieba

                jieba.setLogLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                tk.initialize()
                _tokenizer = tk
    return _tokenizer


def loaded() -> bool:
    return _tokenizer is not None
