"""The admin's user pages (增加用户, 修改用户, 修改密码) speak Chinese: Django's zh_Hans catalogue
lacks some of the strings its 5.x admin templates use, and one help text of its password form
is not translatable at all; the platform's own catalogue (src/zhengwu/locale) and form fill
the gaps."""

from __future__ import annotations

import gettext
import json
import re
from pathlib import Path

import pytest
from django.utils.translation import trans_real

import zhengwu

ENGLISH = (
    "After you’ve created a user", "First, enter a username and password", "you’ll be able to edit more user options",
    "If disabled, the current password for this user will be lost", "Model name", "Add link",
    "Change or view list link", "Error:",
)


@pytest.fixture
def untranslated(monkeypatch):
    """Every message the pages asked the zh-hans catalogue for and got back in English."""
    missed: set[str] = set()
    gettext_, ngettext_ = trans_real.DjangoTranslation.gettext, trans_real.DjangoTranslation.ngettext

    def watched_gettext(self, message):
        out = gettext_(self, message)
        if out == message and re.search(r"[A-Za-z]", message):
            missed.add(message)
        return out

    def watched_ngettext(self, singular, plural, number):
        out = ngettext_(self, singular, plural, number)
        if out in (singular, plural) and re.search(r"[A-Za-z]", singular):
            missed.add(singular)
        return out

    monkeypatch.setattr(trans_real.DjangoTranslation, "gettext", watched_gettext)
    monkeypatch.setattr(trans_real.DjangoTranslation, "ngettext", watched_ngettext)
    return missed


@pytest.mark.django_db
def test_user_add_change_and_password_pages_have_no_english(admin_client, admin_user, untranslated):
    pages = {}
    for name, url in (("add", "/admin/accounts/user/add/"), ("change", f"/admin/accounts/user/{admin_user.pk}/change/"),
                      ("password", f"/admin/accounts/user/{admin_user.pk}/password/")):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        pages[name] = response.content.decode()
    # The same forms sent back with errors (the page title then starts with 错误).
    pages["add with errors"] = admin_client.post("/admin/accounts/user/add/", {
        "username": "", "password1": "a", "password2": "b"}).content.decode()
    pages["password with errors"] = admin_client.post(f"/admin/accounts/user/{admin_user.pk}/password/", {
        "password1": "a", "password2": "b", "usable_password": "true"}).content.decode()

    assert untranslated == set()
    for name, html in pages.items():
        for english in ENGLISH:
            assert english not in html, (name, english)
    assert "创建用户后，即可编辑更多用户选项。" in pages["add"]
    assert "如果禁用，该用户当前的密码将失效。" in pages["password"]
    assert 'id="id_unusable_warning"' in pages["password"]  # Django's script still finds the warning
    assert "<title>错误：" in pages["add with errors"] and "<title>错误：" in pages["password with errors"]
    assert "修改或查看列表链接" in pages["change"]


@pytest.mark.django_db
def test_admin_scripts_speak_chinese_too(admin_client):
    """The two-box picker (窗口's 业务部门) takes its words from the admin's script catalogue."""
    catalogue = admin_client.get("/admin/jsi18n/").content.decode()
    for text in ("全选%s", "（点击清除）"):
        assert text in catalogue or json.dumps(text) in catalogue


def _po_messages(path: Path) -> dict[str, str]:
    """msgid → msgstr of a .po file (what this catalogue uses: no plurals, no contexts)."""
    messages: dict[str, str] = {}
    key, current = None, {"msgid": "", "msgstr": ""}
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = line.strip()
        if line.startswith(("msgid ", "msgstr ")):
            key, _, rest = line.partition(" ")
            current[key] = _unquote(rest)
        elif line.startswith('"') and key:
            current[key] += _unquote(line)
        elif not line and key:
            if current["msgid"]:
                messages[current["msgid"]] = current["msgstr"]
            key, current = None, {"msgid": "", "msgstr": ""}
    return messages


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), text[1:-1])


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_the_compiled_catalogue_matches_its_source(domain):
    """The .mo shipped beside each .po says the same (``make messages`` compiles them)."""
    folder = Path(zhengwu.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"
    source = _po_messages(folder / f"{domain}.po")
    assert source and all(source.values())
    with open(folder / f"{domain}.mo", "rb") as f:
        compiled = gettext.GNUTranslations(f)
    assert {m: compiled.gettext(m) for m in source} == source
