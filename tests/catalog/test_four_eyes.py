"""双人复核 (审核分离) of 办事指南 versions: whoever submitted a version, or last changed it, may not
approve it; enforced in the service (the one write path), said on the review page and the list;
an explicit setting lifts it for a district with a single 事项管理员 (ADR 0059)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zhengwu.catalog.review_rules import (
    OWN_EDIT_MESSAGE,
    OWN_SUBMISSION_MESSAGE,
    self_review_refusal,
)
from zhengwu.catalog.services import items as svc
from zhengwu.core.models import AuditEvent
from zhengwu.org.models import Role

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"catalog:{name}", args=args)


# -- the rule -------------------------------------------------------------------------------------
@pytest.mark.parametrize("reviewer, submitter, editor, four_eyes, expected", [
    (1, 2, 3, True, None),
    (1, 1, 3, True, OWN_SUBMISSION_MESSAGE),
    (1, 1, 1, True, OWN_SUBMISSION_MESSAGE),
    (1, 2, 1, True, OWN_EDIT_MESSAGE),
    (1, None, 1, True, OWN_EDIT_MESSAGE),   # a version submitted before submitters were recorded
    (1, None, None, True, None),
    (None, None, None, True, None),
    (1, 1, 1, False, None),                  # ZHENGWU_CATALOG_FOUR_EYES=0
])
def test_rule(reviewer, submitter, editor, four_eyes, expected):
    assert self_review_refusal(reviewer, submitted_by=submitter, edited_by=editor, four_eyes=four_eyes) == expected


def test_messages_say_who_should_review():
    assert OWN_SUBMISSION_MESSAGE == "不能审核自己提交的版本：请由另一位事项管理员审核"
    assert "另一位事项管理员" in OWN_EDIT_MESSAGE


# -- the service ----------------------------------------------------------------------------------
@pytest.fixture
def other_admin(make_staff):
    return make_staff(Role.ITEM_ADMIN)


def _submitted_by(actor, make_item):
    item = make_item(publish=False)
    svc.submit_for_review(actor, item, lock_version=item.lock_version)
    item.refresh_from_db()
    return item


def test_submitter_may_not_approve_own_version_another_admin_may(make_item, item_admin, other_admin):
    item = _submitted_by(item_admin, make_item)
    version = svc.open_version(item)
    assert version.submitted_by == item_admin
    with pytest.raises(ValidationError) as exc:
        svc.approve_and_publish(item_admin, item, lock_version=item.lock_version, note="同意")
    assert exc.value.messages == [OWN_SUBMISSION_MESSAGE] and exc.value.code == "self_review"
    item.refresh_from_db()
    assert item.status == "pending" and item.published_version is None
    assert not AuditEvent.objects.filter(action="catalog.item.publish", object_id=str(item.pk)).exists()

    published = svc.approve_and_publish(other_admin, item, lock_version=item.lock_version, note="同意")
    assert published.reviewed_by == other_admin and published.submitted_by == item_admin


def test_last_editor_may_not_approve_even_if_someone_else_submitted(make_item, item_admin, other_admin):
    item = make_item(publish=False)
    svc.edit_draft(item_admin, item, lock_version=item.lock_version, data={"office_hours": "全天"})
    item.refresh_from_db()
    svc.submit_for_review(other_admin, item, lock_version=item.lock_version)
    item.refresh_from_db()
    assert svc.open_version(item).edited_by == item_admin
    with pytest.raises(ValidationError) as exc:
        svc.approve_and_publish(item_admin, item, lock_version=item.lock_version)
    assert exc.value.messages == [OWN_EDIT_MESSAGE]


def test_material_changes_count_as_edits(make_item, item_admin, other_admin, materials):
    item = make_item(publish=False)
    svc.replace_materials(item_admin, item, lock_version=item.lock_version, materials=materials[:2])
    item.refresh_from_db()
    svc.submit_for_review(other_admin, item, lock_version=item.lock_version)
    item.refresh_from_db()
    with pytest.raises(ValidationError):
        svc.approve_and_publish(item_admin, item, lock_version=item.lock_version)


def test_submitter_may_still_withdraw_and_reject_is_not_an_approval(make_item, item_admin):
    item = _submitted_by(item_admin, make_item)
    version = svc.withdraw(item_admin, item, lock_version=item.lock_version)
    assert version.state == "draft" and version.submitted_by is None


def test_a_new_draft_records_its_editor(make_item, item_admin, city_item_admin):
    item = make_item()
    draft = svc.start_new_draft(item_admin, item, lock_version=item.lock_version)
    assert draft.edited_by == item_admin and draft.submitted_by is None


def test_the_setting_lifts_it_and_the_audit_says_so(make_item, item_admin, settings):
    settings.ZHENGWU_CATALOG_FOUR_EYES = False
    item = _submitted_by(item_admin, make_item)
    assert svc.review_refusal(item_admin, svc.open_version(item)) is None
    svc.approve_and_publish(item_admin, item, lock_version=item.lock_version)
    event = AuditEvent.objects.get(action="catalog.item.publish", object_id=str(item.pk))
    assert event.after["self_review"] is True


def test_an_approval_by_another_admin_is_not_marked_self_review(make_item, item_admin, other_admin):
    item = _submitted_by(item_admin, make_item)
    svc.approve_and_publish(other_admin, item, lock_version=item.lock_version)
    event = AuditEvent.objects.get(action="catalog.item.publish", object_id=str(item.pk))
    assert "self_review" not in event.after


# -- the pages ------------------------------------------------------------------------------------
def test_review_page_disables_approval_of_own_submission_and_offers_withdraw(client, make_item, item_admin):
    item = _submitted_by(item_admin, make_item)
    client.force_login(item_admin)
    page = client.get(url("wb_item_review", item.pk)).content.decode()
    assert OWN_SUBMISSION_MESSAGE in page
    assert re.search(r'value="approve"[^>]*disabled', page)
    assert 'id="review-withdraw"' in page
    assert f"提交人：{item_admin.display_name}" in page

    # Posting the approval anyway (an old tab, a hand-made request) is refused by the service.
    response = client.post(url("wb_item_review", item.pk), {"decision": "approve", "lock_version": item.lock_version})
    assert OWN_SUBMISSION_MESSAGE in response.content.decode()
    item.refresh_from_db()
    assert item.status == "pending" and item.published_version is None

    # The submitter withdraws from the same page.
    client.post(url("wb_item_withdraw", item.pk), {"lock_version": item.lock_version})
    item.refresh_from_db()
    assert svc.open_version(item).state == "draft"


def test_another_admin_sees_the_submitter_and_approves(client, make_item, item_admin, other_admin):
    item = _submitted_by(item_admin, make_item)
    client.force_login(other_admin)
    listing = client.get(url("wb_items") + "?stage=pending_review").content.decode()
    assert f"提交人：{item_admin.display_name}" in listing
    page = client.get(url("wb_item_review", item.pk)).content.decode()
    assert OWN_SUBMISSION_MESSAGE not in page and not re.search(r'value="approve"[^>]*disabled', page)
    client.post(url("wb_item_review", item.pk), {"decision": "approve", "lock_version": item.lock_version})
    item.refresh_from_db()
    assert item.status == "published" and item.published_version.reviewed_by == other_admin


def test_list_and_detail_tell_the_submitter_someone_else_must_approve(client, make_item, item_admin):
    item = _submitted_by(item_admin, make_item)
    client.force_login(item_admin)
    listing = client.get(url("wb_items") + "?stage=pending_review").content.decode()
    assert "本人提交，须由另一位事项管理员审核" in listing
    detail = client.get(url("wb_item_detail", item.pk)).content.decode()
    assert OWN_SUBMISSION_MESSAGE in detail and 'id="draft-withdraw"' in detail


# -- the demo -------------------------------------------------------------------------------------
def test_demo_has_a_second_item_admin_to_approve(demo):
    from zhengwu.accounts.models import User
    from zhengwu.org.permissions import has_role

    shenhe = User.objects.get(username="shenhe")
    assert shenhe.check_password("Demo@2026zw")
    assert has_role(shenhe, Role.ITEM_ADMIN)
