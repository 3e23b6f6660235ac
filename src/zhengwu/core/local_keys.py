"""The keys of a single-machine install, generated once into ``$ZHENGWU_DATA_DIR/keys.json``
(pure: no Django import; the settings load it).

A key this version needs that an older keys.json lacks is added to it; the keys already there are
never changed (a lock file serialises processes starting together; the new file replaces the old
one whole, so a crash leaves one or the other).

``zhengwu restore`` loads the settings without writing: it must leave a target it refuses as it
was (docs/backup.md). The keys it generates are then kept in memory (``unsaved``) and written by
:func:`save` only once every check has passed — which, for a new ``ZHENGWU_PII_KEY`` or
``ZHENGWU_AUDIT_KEY``, never happens: the archive was made with other keys."""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path

KEY_MAKERS = {
    "secret_key": lambda: secrets.token_urlsafe(50),
    "pii_key": lambda: base64.b64encode(secrets.token_bytes(32)).decode(),
    "audit_key": lambda: base64.b64encode(secrets.token_bytes(32)).decode(),  # ADR 0020
}

# The commands that load the settings without writing keys.json.
NO_WRITE_COMMANDS = {"restore"}


def load(data_dir: Path, *, write: bool = True) -> tuple[dict[str, str], dict[str, str]]:
    """The keys (read, completed), and those generated but not written (empty when ``write``)."""
    path = Path(data_dir) / "keys.json"
    keys = json.loads(path.read_text()) if path.exists() else {}
    if KEY_MAKERS.keys() <= keys.keys():
        return keys, {}
    if not write:
        unsaved = {name: make() for name, make in KEY_MAKERS.items() if name not in keys}
        return {**keys, **unsaved}, unsaved
    return save(data_dir, {}), {}


def save(data_dir: Path, generated: dict[str, str]) -> dict[str, str]:
    """Write keys.json with every key: those already there kept, the missing ones taken from
    ``generated`` (else made now). Returns the keys in the file."""
    import fcntl

    data_dir = Path(data_dir)
    path = data_dir / "keys.json"
    fd = os.open(data_dir / "keys.json.lock", os.O_WRONLY | os.O_CREAT, 0o600)
    with os.fdopen(fd, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        keys = json.loads(path.read_text()) if path.exists() else {}
        missing = [name for name in KEY_MAKERS if name not in keys]
        if missing:
            keys.update({name: generated.get(name) or KEY_MAKERS[name]() for name in missing})
            tmp = path.with_name(f"keys.json.{os.getpid()}.tmp")
            tfd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(tfd, "w") as f:
                json.dump(keys, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
    return keys


def command_writes(argv: list[str]) -> bool:
    """False for the command line of a command that must not write keys.json (``zhengwu restore``,
    ``django-admin restore``)."""
    return not (len(argv) > 1 and argv[1] in NO_WRITE_COMMANDS)
