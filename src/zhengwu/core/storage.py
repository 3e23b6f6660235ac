"""Stored files encrypted at rest (个人信息保护): the project's default file storage.

Applicants' uploads (ID scans, licences) and the documents issued to them (决定书…) hold
personal data. :class:`EncryptedFileSystemStorage` writes every file encrypted, readable by the
owner only (files 0600, directories 0700), and decrypts on open; code that saves and opens files
through Django's storage API (``FieldFile.save``/``open``) sees the plaintext and nothing else.

Format (version 1), a streaming AEAD in the manner of Tink's AES-GCM-HKDF streaming and the STREAM
construction (Hoang, Reyhanitabar, Rogaway, Vizár 2015)::

    header = MAGIC (6) ‖ version (1) ‖ salt (16) ‖ nonce prefix (7)
    body   = segment₀ ‖ segment₁ ‖ … ; segment i = AES-256-GCM(plaintext[i·64 KiB : (i+1)·64 KiB])

- each file has its own key: HKDF-SHA256 of ``ZHENGWU_PII_KEY`` with the file's random salt and
  the label ``zhengwu/files/encrypt/v1`` (not the label of the PII columns' key), so nonces never
  repeat under one key however many files there are;
- segment i's nonce is prefix ‖ i (4 bytes) ‖ last-flag (1 byte), its associated data the header:
  reordering, dropping or appending segments, or cutting the file short, fails authentication;
- a file is encrypted and decrypted one segment at a time: a 20 MB upload is never held in
  memory a second time, and a download can start, seek and stream as from a plain file.

A file that does not start with MAGIC is a plaintext file written before encryption was switched
on: it is read as it is (``zhengwu files encrypt`` encrypts such files in place).
"""

from __future__ import annotations

import base64
import functools
import io
import os
from collections.abc import Iterable, Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage

MAGIC = b"ZWENC\x1a"  # \x1a (Ctrl-Z) stops `type`/`cat`-like tools from printing the rest as text
VERSION = 1
SALT_LEN = 16
PREFIX_LEN = 7
HEADER_LEN = len(MAGIC) + 1 + SALT_LEN + PREFIX_LEN  # 30
SEGMENT = 64 * 1024  # plaintext bytes per segment
TAG = 16  # GCM tag per segment
KEY_INFO = b"zhengwu/files/encrypt/v1"

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700


class EncryptedFileError(OSError):
    """A stored file that claims to be encrypted but cannot be read back (wrong key, damaged)."""


@functools.lru_cache(maxsize=4)
def _master(master_b64: str) -> bytes:
    master = base64.b64decode(master_b64)
    if len(master) < 32:
        raise ValueError("ZHENGWU_PII_KEY must be base64 of at least 32 bytes")
    return master


def _file_cipher(salt: bytes) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=KEY_INFO).derive(
        _master(settings.ZHENGWU_PII_KEY))
    return AESGCM(key)


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def is_encrypted_header(head: bytes) -> bool:
    return head.startswith(MAGIC)


# -- writing ---------------------------------------------------------------------------------------
def encrypt_stream(chunks: Iterable[bytes | str]) -> Iterator[bytes]:
    """The encrypted file, piece by piece, for plaintext given piece by piece (any sizes)."""
    salt, prefix = os.urandom(SALT_LEN), os.urandom(PREFIX_LEN)
    header = MAGIC + bytes([VERSION]) + salt + prefix
    cipher = _file_cipher(salt)
    yield header
    index = 0
    pending = b""
    for piece in chunks:
        if isinstance(piece, str):
            piece = piece.encode("utf-8")
        data = pending + piece if pending else piece
        view, start = memoryview(data), 0
        # Only a segment known not to be the last is sealed here: the last one carries the flag.
        while len(data) - start > SEGMENT:
            yield cipher.encrypt(_nonce(prefix, index, False), bytes(view[start:start + SEGMENT]), header)
            index += 1
            start += SEGMENT
        pending = bytes(view[start:])
    yield cipher.encrypt(_nonce(prefix, index, True), pending, header)


class _EncryptingContent:
    """What ``FileSystemStorage._save`` needs of the content: its chunks — encrypted. (No
    ``temporary_file_path``: an upload spooled to disk is streamed through the cipher, not moved.)"""

    def __init__(self, content):
        self._content = content

    def chunks(self, chunk_size=None):
        return encrypt_stream(self._content.chunks())


# -- reading ---------------------------------------------------------------------------------------
def plaintext_size(disk_size: int) -> int:
    body = disk_size - HEADER_LEN
    segments = max(1, -(-body // (SEGMENT + TAG)))
    size = body - segments * TAG
    if size < 0:
        raise EncryptedFileError("加密文件不完整")
    return size


class DecryptingReader(io.RawIOBase):
    """A seekable, read-only view of the plaintext of an encrypted file (one segment at a time)."""

    def __init__(self, raw, header: bytes):
        super().__init__()
        if header[len(MAGIC)] != VERSION:
            raise EncryptedFileError(f"不支持的加密文件版本 {header[len(MAGIC)]}")
        self._raw = raw
        self._header = header
        salt = header[len(MAGIC) + 1:len(MAGIC) + 1 + SALT_LEN]
        self._prefix = header[-PREFIX_LEN:]
        self._cipher = _file_cipher(salt)
        disk = os.fstat(raw.fileno()).st_size
        self._segments = max(1, -(-(disk - HEADER_LEN) // (SEGMENT + TAG)))
        self.size = plaintext_size(disk)
        self._pos = 0
        self._cached: tuple[int, bytes] | None = None
        self._segment(0)  # a wrong key or a damaged file fails here, before anything is sent

    def _segment(self, index: int) -> bytes:
        if self._cached is not None and self._cached[0] == index:
            return self._cached[1]
        self._raw.seek(HEADER_LEN + index * (SEGMENT + TAG))
        sealed = self._raw.read(SEGMENT + TAG)
        try:
            plain = self._cipher.decrypt(_nonce(self._prefix, index, index == self._segments - 1), sealed,
                                         self._header)
        except InvalidTag:
            raise EncryptedFileError("加密文件无法解密（密钥不符或文件已损坏）") from None
        self._cached = (index, plain)
        return plain

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._pos >= self.size:
            return 0
        index, offset = divmod(self._pos, SEGMENT)
        plain = self._segment(index)
        n = min(len(buffer), len(plain) - offset)
        buffer[:n] = plain[offset:offset + n]
        self._pos += n
        return n

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


def open_plaintext(path: str | os.PathLike) -> tuple[io.BufferedIOBase, int, bool]:
    """(a binary reader of the file's plaintext, its plaintext size, whether it was encrypted)."""
    raw = open(path, "rb")  # noqa: SIM115 - handed to the caller
    try:
        head = raw.read(HEADER_LEN)
        if is_encrypted_header(head) and len(head) == HEADER_LEN:
            reader = DecryptingReader(raw, head)
            return io.BufferedReader(reader, buffer_size=SEGMENT), reader.size, True
        raw.seek(0)
        return raw, os.fstat(raw.fileno()).st_size, False
    except BaseException:
        raw.close()
        raise


class PlaintextFile(File):
    """A stored file opened for reading its plaintext; reopened (``open()`` after ``close()``, as
    ``FieldFile.open`` does) through the cipher again, never as the bytes on disk."""

    def __init__(self, path: str, mode: str = "rb"):
        if mode not in ("rb", "r", "rt"):
            raise ValueError("加密存储的文件只能读取；写入请用 save()")
        super().__init__(self._reader(path, mode), name=path)
        self.mode = mode

    def _reader(self, path: str, mode: str):
        reader, size, _ = open_plaintext(path)
        self.size = size  # the plaintext's, not the file's on disk
        return reader if "b" in mode else io.TextIOWrapper(reader, encoding="utf-8")

    def open(self, mode=None):
        if not self.closed:
            self.seek(0)
        else:
            self.mode = mode or self.mode
            self.file = self._reader(self.name, self.mode)
        return self


class EncryptedFileSystemStorage(FileSystemStorage):
    """``FileSystemStorage`` that encrypts on save, decrypts on open, and keeps files 0600 in
    directories 0700 unless told otherwise."""

    def __init__(self, *args, file_permissions_mode=FILE_MODE, directory_permissions_mode=DIRECTORY_MODE, **kwargs):
        super().__init__(*args, file_permissions_mode=file_permissions_mode,
                         directory_permissions_mode=directory_permissions_mode, **kwargs)

    def _save(self, name, content):
        return super()._save(name, _EncryptingContent(content))

    def _open(self, name, mode="rb"):
        return PlaintextFile(self.path(name), mode)

    def size(self, name):
        reader, size, _ = open_plaintext(self.path(name))
        reader.close()
        return size


# -- existing plaintext files ------------------------------------------------------------------
def encrypt_in_place(path: str | os.PathLike) -> bool:
    """Encrypt one stored plaintext file where it lies (written beside it, then renamed over it:
    a reader never sees half a file). False if it was already encrypted."""
    path = os.fspath(path)
    with open(path, "rb") as src:
        if is_encrypted_header(src.read(HEADER_LEN)):
            return False
        src.seek(0)
        tmp = os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.encrypting")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        try:
            with os.fdopen(fd, "wb") as out:
                for piece in encrypt_stream(iter(lambda: src.read(SEGMENT), b"")):
                    out.write(piece)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, FILE_MODE)
            st = os.stat(path)  # keep the file's age: `files prune` judges orphans by it
            os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise
    return True
