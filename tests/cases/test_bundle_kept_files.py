"""一件事 forms keep the files chosen in a refused round (暂存, as 窗口代录 does): the applicant's own
page and the window's (窗口代录一件事). The next round shows each kept file by name and size with
移除, a file chosen again replaces it, and the round that goes through attaches each file once."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from zhengwu.cases.models import BundleCase, Case, CaseMaterial
from zhengwu.cases.services import bundles as services
from zhengwu.core import storage

pytestmark = pytest.mark.django_db

NAMES = ("食品经营许可申请书", "营业执照", "消防安全制度")


def staged_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT) / "cases" / "staged"
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.fixture(autouse=True)
def _no_copies_left_behind():
    """A round left refused keeps its copies until the daily prune: remove this test's, so that
    another test counting the staged files finds none of them."""
    before = staged_files()
    yield
    for path in staged_files() - before:
        path.unlink()


def hidden(page, name) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page.content.decode())
    return found.group(1) if found else ""


def keys(bundle) -> dict[str, str]:
    return {e.name: e.key for e in services.bundle_plan(bundle).pool}


def kept_row(page, key) -> str:
    found = re.search(rf'id="staged_{key}">(.*?)</div>', page.content.decode(), re.S)
    return found.group(1) if found else ""


@pytest.fixture(params=["applicant", "window"])
def form(request, login, citizen, window_staff, bundle):
    """(client, url, the fields every post carries, where the round that goes through leads)."""
    if request.param == "applicant":
        return login(citizen), reverse("cases:bundle_apply", args=[bundle.pk]), {}
    extra = {"applicant": citizen.applicant.pk}
    return login(window_staff), reverse("cases:staff_file_bundle", args=[bundle.pk]), extra


def open_page(client, url, extra):
    page = client.get(url, extra)
    assert page.status_code == 200
    return page


def test_files_survive_a_refused_round_and_go_in_once(form, bundle, pdf):
    client, url, extra = form
    k = keys(bundle)
    before = staged_files()
    page = open_page(client, url, extra)
    refused = client.post(url, {**extra, "idempotency_key": hidden(page, "idempotency_key"),
                                "upload_token": hidden(page, "upload_token"),
                                "f_shop_name": "老王小吃", "f_area": "30", "f_seats": "",  # 座位数 left empty
                                **{k[n]: pdf(f"{n}.pdf") for n in NAMES}})
    html = refused.content.decode()
    assert refused.status_code == 400 and "座位数" in html and not BundleCase.objects.exists()
    assert 'id="bundle-kept"' in html
    for n in NAMES:
        row = kept_row(refused, k[n])
        assert f"已上传：<span class=\"zw-staged-name\">{n}.pdf</span>" in row and "（45\xa0字节，暂存" in row
        assert f'name="unstage" value="{k[n]}"' in row
    kept = staged_files() - before
    assert len(kept) == 3 and all(storage.is_encrypted_header(p.read_bytes()[:storage.HEADER_LEN]) for p in kept)
    # The next round names only the field: the kept files go in, each once.
    response = client.post(url, {**extra, "idempotency_key": hidden(refused, "idempotency_key"),
                                 "upload_token": hidden(refused, "upload_token"),
                                 "f_shop_name": "老王小吃", "f_area": "30", "f_seats": "40"})
    assert response.status_code == 302, response.content.decode()[:2000]
    bc = BundleCase.objects.get()
    food = bc.cases.get(service_item__name="食品经营许可证核发")
    assert sorted(food.materials.values_list("original_name", flat=True)) == ["营业执照.pdf", "食品经营许可申请书.pdf"]
    assert CaseMaterial.objects.filter(case__bundle_case=bc).count() == 4  # 营业执照 serves both cases
    assert {c.state for c in bc.cases.all()} == {"submitted"}
    with food.materials.get(name="营业执照").file.open("rb") as f:
        assert f.read().startswith(b"%PDF")
    assert staged_files() - before == set()  # in the cases now, the kept copies removed


def test_a_kept_file_can_be_removed_or_replaced(form, bundle, pdf):
    client, url, extra = form
    k = keys(bundle)
    before = staged_files()
    page = open_page(client, url, extra)
    base = {**extra, "idempotency_key": hidden(page, "idempotency_key"), "upload_token": hidden(page, "upload_token"),
            "f_shop_name": "老王小吃", "f_area": "30"}
    refused = client.post(url, {**base, **{k[n]: pdf(f"{n}.pdf") for n in NAMES}})
    assert refused.status_code == 400 and len(staged_files() - before) == 3
    # 移除 the licence, choose another 申请书: the licence is asked for again, the new 申请书 kept.
    again = client.post(url, {**base, "unstage": k["营业执照"], k["食品经营许可申请书"]: pdf("新申请书.pdf")})
    html = again.content.decode()
    assert again.status_code == 400 and "“营业执照”是必要材料，请上传" in html
    assert kept_row(again, k["营业执照"]) == "" and "新申请书.pdf" in kept_row(again, k["食品经营许可申请书"])
    assert len(staged_files() - before) == 2  # the removed and the replaced copies deleted
    response = client.post(url, {**base, "f_seats": "40", k["营业执照"]: pdf("执照.pdf")})
    assert response.status_code == 302
    food = Case.objects.get(service_item__name="食品经营许可证核发")
    assert sorted(food.materials.values_list("original_name", flat=True)) == ["执照.pdf", "新申请书.pdf"]
    assert staged_files() - before == set()


def test_a_bad_file_is_named_and_the_good_ones_kept(form, bundle, pdf):
    client, url, extra = form
    k = keys(bundle)
    page = open_page(client, url, extra)
    refused = client.post(url, {**extra, "idempotency_key": hidden(page, "idempotency_key"),
                                "upload_token": hidden(page, "upload_token"),
                                "f_shop_name": "老王小吃", "f_area": "30", "f_seats": "40",
                                k["营业执照"]: pdf("病毒.exe", b"MZ\x90\x00"),
                                k["食品经营许可申请书"]: pdf("申请书.pdf"), k["消防安全制度"]: pdf("制度.pdf")})
    html = refused.content.decode()
    assert refused.status_code == 400 and "“营业执照”的文件格式不支持" in html
    assert "申请书.pdf" in kept_row(refused, k["食品经营许可申请书"]) and kept_row(refused, k["营业执照"]) == ""
    assert not BundleCase.objects.exists() and not Case.objects.exists()


def test_kept_files_are_the_choosers_own(login, citizen, make_citizen, bundle, pdf):
    """Another person posting the same token gets none of them."""
    url = reverse("cases:bundle_apply", args=[bundle.pk])
    k = keys(bundle)
    client = login(citizen)
    page = client.get(url)
    token = hidden(page, "upload_token")
    refused = client.post(url, {"idempotency_key": hidden(page, "idempotency_key"), "upload_token": token,
                                "f_shop_name": "老王小吃", "f_area": "30", **{k[n]: pdf(f"{n}.pdf") for n in NAMES}})
    assert refused.status_code == 400
    other = login(make_citizen(name="李四"))
    response = other.post(url, {"idempotency_key": hidden(page, "idempotency_key"), "upload_token": token,
                                "f_shop_name": "老王小吃", "f_area": "30", "f_seats": "40"})
    assert response.status_code == 400 and "“营业执照”是必要材料，请上传" in response.content.decode()
    assert not BundleCase.objects.exists()
