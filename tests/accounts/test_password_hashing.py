"""Passwords are stored as Argon2id at the OWASP parameters; older PBKDF2 hashes still log in
and are re-hashed at that login (ADR 0011)."""

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.test import override_settings

from zhengwu.accounts.models import User

PW = "Good#Pass2026"
PRODUCTION_HASHERS = ["zhengwu.accounts.hashers.Argon2idHasher",
                      "django.contrib.auth.hashers.PBKDF2PasswordHasher"]


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_new_password_is_argon2id_with_owasp_parameters():
    encoded = make_password(PW)
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password(PW, encoded) and not check_password("Wrong#Pass2026", encoded)
    assert not identify_hasher(encoded).must_update(encoded)


@pytest.mark.django_db
def test_pbkdf2_hash_logs_in_and_is_upgraded(client, make_staff):
    staff = make_staff(username="laoyong")
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        User.objects.filter(pk=staff.pk).update(password=make_password(PW))
    with override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS):
        assert client.post("/accounts/login/", {"username": "laoyong", "password": PW}).status_code == 302
        staff.refresh_from_db()
        assert staff.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
        client.logout()
        assert client.post("/accounts/login/", {"username": "laoyong", "password": PW}).status_code == 302
