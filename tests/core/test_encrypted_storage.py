"""The encrypted file storage (zhengwu.core.storage): round trips at the segment edges, seeking,
streaming, and refusal of cut, altered or wrongly keyed files. (Case files through it:
tests/cases/test_case_files_encrypted.py.)"""

import io
import os
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings

from zhengwu.core import storage

OTHER_KEY = "b3RoZXItcGlpLWtleS0wMTIzNDU2Nzg5YWJjZGVmMDEy"


@pytest.mark.parametrize("size", [0, 1, storage.SEGMENT - 1, storage.SEGMENT, storage.SEGMENT + 1,
                                  3 * storage.SEGMENT + 17])
def test_round_trip_at_segment_edges_with_seek(size):
    data = os.urandom(size)
    name = default_storage.save("tests/roundtrip", ContentFile(data))
    try:
        assert default_storage.size(name) == size
        with default_storage.open(name) as f:
            assert f.size == size and f.read() == data
            f.seek(size // 2)
            assert f.read(100) == data[size // 2:size // 2 + 100]
            f.seek(0, io.SEEK_END)
            assert f.tell() == size
    finally:
        default_storage.delete(name)


def test_content_is_sealed_segment_by_segment_as_it_is_read():
    # However the plaintext arrives, no sealed piece is more than one segment: a large upload is
    # never held whole a second time.
    data = os.urandom(5 * storage.SEGMENT + 3)
    pieces = list(storage.encrypt_stream(iter([data[:10], data[10:]])))
    assert len(pieces) == 1 + 6  # the header, then one sealed piece per segment
    assert all(len(p) <= storage.SEGMENT + storage.TAG for p in pieces[1:])


def test_a_cut_or_altered_file_or_another_key_is_refused():
    name = default_storage.save("tests/tamper", ContentFile(os.urandom(3 * storage.SEGMENT)))
    path = Path(default_storage.path(name))
    sealed = path.read_bytes()
    try:
        # Cut at a segment boundary: the new last segment was not sealed as the last one.
        path.write_bytes(sealed[:storage.HEADER_LEN + 2 * (storage.SEGMENT + storage.TAG)])
        with pytest.raises(storage.EncryptedFileError):
            default_storage.open(name).read()
        flipped = bytearray(sealed)
        flipped[storage.HEADER_LEN + 5] ^= 1
        path.write_bytes(bytes(flipped))
        with pytest.raises(storage.EncryptedFileError):
            default_storage.open(name)
        path.write_bytes(sealed)
        with override_settings(ZHENGWU_PII_KEY=OTHER_KEY), pytest.raises(storage.EncryptedFileError):
            default_storage.open(name)
        assert default_storage.open(name).read(1) is not None
    finally:
        default_storage.delete(name)


def test_files_are_only_written_through_save():
    with pytest.raises(ValueError):
        default_storage.open("tests/anything", "wb")


def test_a_plaintext_file_stored_before_reads_as_it_is_and_new_files_are_owner_only():
    name = default_storage.save("tests/modes/new", ContentFile(b"%PDF-1.4 new"))
    legacy = Path(default_storage.path("tests/modes/legacy"))
    legacy.write_bytes(b"%PDF-1.4 legacy")
    try:
        path = Path(default_storage.path(name))
        assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700
        assert default_storage.open("tests/modes/legacy").read() == b"%PDF-1.4 legacy"
        assert default_storage.size("tests/modes/legacy") == len(b"%PDF-1.4 legacy")
        assert storage.encrypt_in_place(legacy) and not storage.encrypt_in_place(legacy)
        assert default_storage.open("tests/modes/legacy").read() == b"%PDF-1.4 legacy"
    finally:
        default_storage.delete(name)
        default_storage.delete("tests/modes/legacy")


def test_a_reopened_file_is_decrypted_again():
    # FieldFile.open() on a file it closed before reopens the same File object.
    name = default_storage.save("tests/reopen", ContentFile(b"%PDF-1.4 reopen"))
    try:
        f = default_storage.open(name)
        f.close()
        assert f.open().read() == b"%PDF-1.4 reopen"
        f.close()
    finally:
        default_storage.delete(name)
