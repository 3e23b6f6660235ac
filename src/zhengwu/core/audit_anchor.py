"""Anchors of the audit chain outside the database (ADR 0020): signed checkpoints (检查点).

A checkpoint is the ``(chain, seq, hash)`` of every chain head at one moment, with the time and
the number of events, signed with an Ed25519 key that the database does not hold
(``ZHENGWU_AUDIT_SIGNING_KEY``, else ``$ZHENGWU_AUDIT_DIR/signing.key``, mode 0600). Each one is
one JSON line, appended to ``$ZHENGWU_AUDIT_DIR/checkpoints.jsonl`` (0600) and stored as the same
text in the append-only ``AuditCheckpoint`` table; it names the previous checkpoint's digest, so
the checkpoints form a chain of their own. An auditor keeps :func:`export_document`'s text.

:func:`load_anchors` checks the checkpoints (signatures, numbering, links, file against table)
and returns what :func:`zhengwu.core.audit.verify` then checks against the events: each
checkpointed head still exists with the same hash, the event counts, and no unkeyed event after
the first checkpoint. Someone who can write to the database but not read the keys or the data directory
can no longer cut a chain's tail and reset its head unnoticed.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import fcntl
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from .models import AuditCheckpoint, AuditEvent, AuditHead

FORMAT = 1
FILE_NAME = "checkpoints.jsonl"
KEY_FILE = "signing.key"
_PG_LOCK = 0x7A770018  # pg_advisory_xact_lock key: one checkpoint writer at a time


class AnchorError(Exception):
    """A checkpoint that does not hold (the message says which and why, in Chinese)."""


def audit_dir() -> Path:
    return Path(settings.ZHENGWU_AUDIT_DIR)


def checkpoint_path() -> Path:
    return audit_dir() / FILE_NAME


def _canonical(obj) -> bytes:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def digest(line: str) -> str:
    h = hashes.Hash(hashes.SM3())
    h.update(line.encode())
    return h.finalize().hex()


# -- keys ------------------------------------------------------------------------------------------
def _private_dir() -> Path:
    d = audit_dir()
    d.mkdir(mode=0o700, parents=True, exist_ok=True)
    return d


def signing_key(*, create: bool = False) -> Ed25519PrivateKey | None:
    """The checkpoint signing key: from the environment, else the key file (made once when
    ``create``; verification never makes one)."""
    text = settings.ZHENGWU_AUDIT_SIGNING_KEY
    if not text:
        path = audit_dir() / KEY_FILE
        if not path.exists():
            if not create:
                return None
            tmp = _private_dir() / f".{KEY_FILE}.{os.getpid()}"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode() + "\n")
                f.flush()
                os.fsync(f.fileno())
            try:
                os.link(tmp, path)  # atomic: the first process to get here makes the key
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
        text = path.read_text()
    try:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(text.strip(), validate=True))
    except (ValueError, binascii.Error):
        raise ImproperlyConfigured("审计签名密钥无效：应为 Ed25519 私钥（32 字节）的 base64 编码") from None


def public_text(pub: Ed25519PublicKey) -> str:
    return base64.b64encode(pub.public_bytes_raw()).decode()


def key_id(pub: Ed25519PublicKey) -> str:
    return hashlib.sha256(pub.public_bytes_raw()).hexdigest()[:16]


def _public_from_text(text: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except (ValueError, binascii.Error):
        raise AnchorError("公钥无效：应为 Ed25519 公钥（32 字节）的 base64 编码") from None


# -- one checkpoint --------------------------------------------------------------------------------
@dataclass
class Checkpoint:
    n: int
    at: str
    events: int
    heads: dict[int, tuple[int, str]]  # chain -> (seq, hash); chains without events are left out
    prev: str
    key: str
    line: str

    def signed_by(self, pub: Ed25519PublicKey) -> bool:
        body = json.loads(self.line)
        try:
            pub.verify(base64.b64decode(body.pop("sig")), _canonical(body))
        except (InvalidSignature, ValueError, binascii.Error):
            return False
        return True


def parse(line: str) -> Checkpoint:
    try:
        body = json.loads(line)
        heads = {int(c): (int(s), str(h)) for c, s, h in body["heads"]}
        cp = Checkpoint(int(body["n"]), str(body["at"]), int(body["events"]), heads, str(body["prev"]),
                        str(body["key"]), line)
        if body.get("v") != FORMAT or not isinstance(body.get("sig"), str) or cp.n < 1:
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise AnchorError(f"不是有效的检查点：{line[:80]}") from None
    return cp


def _snapshot(connection) -> tuple[list[tuple[int, int, str]], int]:
    """Every head and the number of events, in one statement — one snapshot on PostgreSQL, so
    the count is exactly the events up to these heads."""
    qn = connection.ops.quote_name
    sql = (f"SELECT (SELECT COUNT(*) FROM {qn(AuditEvent._meta.db_table)}), h.id, h.seq, h.hash "
           f"FROM (SELECT 1 AS one) o LEFT JOIN {qn(AuditHead._meta.db_table)} h ON 1 = 1 ORDER BY h.id")
    with connection.cursor() as cur:
        cur.execute(sql)
        rows = cur.fetchall()
    return [(int(c), int(s), h) for _, c, s, h in rows if c is not None], int(rows[0][0])


def take() -> Checkpoint:
    """Sign the current heads; append the checkpoint to the file and the table. Refuses (raises
    :class:`AnchorError`) when a head is behind the previous checkpoint's."""
    key = signing_key(create=True)
    _private_dir()
    fd = os.open(checkpoint_path(), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as f:
        fcntl.flock(f, fcntl.LOCK_EX)  # one writer per data directory, so lines stay in order
        with transaction.atomic():
            connection = transaction.get_connection()
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    cur.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK])
            last = AuditCheckpoint.objects.order_by("-n").first()
            heads, events = _snapshot(connection)
            if last is not None:  # a head behind the last checkpoint: raise the alarm, sign nothing
                now = {c: s for c, s, _ in heads}
                for chain, (seq, _) in sorted(parse(last.document).heads.items()):
                    if now.get(chain, 0) < seq:
                        raise AnchorError(
                            f"第 {chain} 条链的链头退回到第 {now.get(chain, 0)} 条，上一个检查点时在第 {seq} 条"
                            "（链尾记录可能被删除）；未记录检查点，请运行 zhengwu audit verify")
            at = timezone.now()
            body = {
                "v": FORMAT,
                "n": last.n + 1 if last else 1,
                "at": at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "events": events,
                "heads": [[c, s, h] for c, s, h in heads if s > 0],
                "prev": digest(last.document) if last else "",
                "key": key_id(key.public_key()),
            }
            body["sig"] = base64.b64encode(key.sign(_canonical(body))).decode()
            line = _canonical(body).decode()
            AuditCheckpoint.objects.create(n=body["n"], at=at, events=events, document=line)
            # Written before the commit: a failed write rolls the row back. (A failed commit after
            # it leaves a line the table lacks, which verify reports.)
            f.write(line + "\n")
            f.flush()
            os.fsync(f.fileno())
    return parse(line)


def checkpoint_job() -> str:
    """The periodic job (``audit.checkpoint``, hourly)."""
    cp = take()
    return f"第 {cp.n} 个检查点：{cp.events} 条记录，{len(cp.heads)} 条链"


def export_document(cp: Checkpoint, pub: Ed25519PublicKey) -> str:
    """The small text an auditor keeps: the public key and the signed checkpoint."""
    return "\n".join([
        "# 审计链检查点（zhengwu audit checkpoint --export）。请离线妥善保存本文件；",
        "# 核对：zhengwu audit verify --checkpoints 本文件",
        f"# 第 {cp.n} 个检查点，{cp.at}，共 {cp.events} 条审计记录，{len(cp.heads)} 条链",
        f"# 签名算法 Ed25519，公钥指纹 {key_id(pub)}",
        f"public-key: {public_text(pub)}",
        cp.line,
        "",
    ])


def parse_document(text: str) -> tuple[str | None, list[Checkpoint]]:
    """An auditor's file: exported documents (one or several, concatenated) or a copy of
    checkpoints.jsonl. Returns the public key it names, if any, and its checkpoints."""
    pub, cps = None, []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("public-key:"):
            key = line.removeprefix("public-key:").strip()
            if pub is not None and key != pub:
                raise AnchorError("检查点文件中有两个不同的公钥")
            pub = key
        elif line.startswith("{"):
            cps.append(parse(line))
    return pub, cps


# -- checking them ---------------------------------------------------------------------------------
@dataclass
class Anchors:
    """What the checkpoints say the events must contain."""

    checkpoints: list[Checkpoint] = field(default_factory=list)  # the table's, in order
    source: str = ""  # the file they were checked against
    expected: dict[int, tuple[int, str, int]] = field(default_factory=dict)  # seq -> (chain, hash, n)
    keyed_after: dict[int, int] | None = None  # chain -> last seq that may be unkeyed

    @property
    def latest(self) -> Checkpoint | None:
        return self.checkpoints[-1] if self.checkpoints else None


def _verifying_key(doc_key: str | None) -> Ed25519PublicKey | None:
    try:
        own = signing_key()
    except ImproperlyConfigured as exc:
        raise AnchorError(str(exc)) from None
    own_pub = own.public_key() if own else None
    if doc_key is None:
        return own_pub
    pub = _public_from_text(doc_key)
    if own_pub is not None and own_pub.public_bytes_raw() != pub.public_bytes_raw():
        raise AnchorError("检查点文件中的公钥与本机的审计签名密钥不一致")
    return pub


def _check_file_against_table(path: Path, rows: list[str]) -> None:
    """The data directory's file must hold exactly the table's lines, in order."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else None
    if lines is None and rows:
        raise AnchorError(f"检查点文件 {path} 不存在，数据库中却有 {len(rows)} 个检查点")
    lines = [line for line in lines or [] if line.strip()]
    for i, (line, row) in enumerate(zip(lines, rows), start=1):
        if line != row:
            raise AnchorError(f"第 {i} 个检查点在文件与数据库中不一致（检查点被改写）")
    if len(lines) > len(rows):
        raise AnchorError(f"数据库缺少第 {len(rows) + 1} 个检查点（文件中有，数据库中的被删除）")
    if len(lines) < len(rows):
        raise AnchorError(f"检查点文件缺少第 {len(lines) + 1} 个检查点（数据库中有）")


def load_anchors(external: Path | None = None) -> Anchors:
    """Check the table's checkpoints: signatures, numbering and links; the data directory's file
    must hold exactly the same lines (skipped when checking an auditor's file on a machine
    without one); each checkpoint of an auditor's file (``external``) must be in the table,
    unchanged, and its public key must be this installation's. Raises :class:`AnchorError`."""
    rows = list(AuditCheckpoint.objects.order_by("n").values_list("document", flat=True))
    path, doc_key, theirs, sources = checkpoint_path(), None, [], []
    if external is None or path.exists():
        _check_file_against_table(path, rows)
        sources.append(str(path))
    if external is not None:
        try:
            doc_key, theirs = parse_document(Path(external).read_text(encoding="utf-8"))
        except OSError as exc:
            raise AnchorError(f"无法读取检查点文件 {external}：{exc.strerror or exc}") from None
        if not theirs:
            raise AnchorError(f"检查点文件 {external} 中没有检查点")
        sources.append(str(external))
    source = "、".join(sources)
    anchors = Anchors(source=source)
    if not rows and not theirs:
        return anchors
    pub = _verifying_key(doc_key)
    if pub is None:
        raise AnchorError(f"找不到审计签名密钥（ZHENGWU_AUDIT_SIGNING_KEY 或 {audit_dir() / KEY_FILE}），无法校验检查点")
    prev = ""
    for i, line in enumerate(rows, start=1):
        cp = parse(line)
        if not cp.signed_by(pub):
            raise AnchorError(f"数据库中第 {i} 个检查点的签名无效（检查点被改写）")
        if cp.n != i or cp.prev != prev:
            raise AnchorError(f"数据库中第 {i} 个检查点与前一个不衔接（检查点被删除或替换）")
        prev = digest(line)
        anchors.checkpoints.append(cp)
    for cp in theirs:
        if not cp.signed_by(pub):
            raise AnchorError(f"审计员保存的第 {cp.n} 个检查点的签名无效")
        if cp.n > len(rows):
            raise AnchorError(f"数据库缺少审计员保存的第 {cp.n} 个检查点（检查点被删除）")
        if rows[cp.n - 1] != cp.line:
            raise AnchorError(f"审计员保存的第 {cp.n} 个检查点与数据库中的不一致（检查点被改写）")
    for cp in anchors.checkpoints:
        for chain, (seq, h) in cp.heads.items():
            seen = anchors.expected.setdefault(seq, (chain, h, cp.n))
            if seen[:2] != (chain, h):
                raise AnchorError(f"第 {seen[2]} 与第 {cp.n} 个检查点对第 {seq} 条记录的摘要不一致")
    first = anchors.checkpoints[0]
    anchors.keyed_after = {chain: seq for chain, (seq, _) in first.heads.items()}
    return anchors
