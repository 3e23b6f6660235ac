"""A market entity registered on the platform (设立登记 准予) becomes an applicant it can act as.

:func:`register_entity` is called in the approval's transaction when a 设立登记 issues the new
entity's 营业执照 (:mod:`zhengwu.licenses.services.issuing`): it makes the entity's 法人 applicant
(name, 统一社会信用代码, its 法定代表人 or 经营者) and gives the person who registered it the grant an
enterprise gives its 经办人 (:class:`~zhengwu.accounts.models.EnterpriseAgent`, every scope), so
that they switch to 以企业身份办事 for it and apply as it: its 营业执照 then stands in for the
material (免提交) and its code and representative fill the forms.

The applicant model knows 自然人 and 法人: a 个体工商户 (not a legal person in law, but an entity
with its own code and 营业执照) is recorded as 法人, as an enterprise account registered online is.
Its login (``e-`` + the code) has no usable password and awaits its claim: nobody logs in as the
entity until its 法定代表人/经营者 claims it through 法人注册 (账号认领, :mod:`.claims`), or at a
window when the record has no representative's ID number; its 经营者 acts for it through the grant.

Idempotent: the entity is found by its code (unique), so a second approval or a re-run makes no
second applicant nor a second grant. An applicant that already had the code (an enterprise that
registered itself) is never handed to the registrant: only the entity made here, or one already
granted to them, is.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from zhengwu.core import audit

from .backends import login_username
from .models import Applicant, EnterpriseAgent, User

log = logging.getLogger(__name__)
ALL_SCOPES = [s.value for s in EnterpriseAgent.Scope]


def _new_applicant(*, name: str, uscc: str, legal_rep_name: str, legal_rep_id_number: str, phone) -> Applicant:
    user = User(username=login_username(uscc), kind=User.Kind.LEGAL, display_name=name[:100])
    user.set_unusable_password()
    user.save()
    return Applicant.objects.create(user=user, kind=Applicant.Kind.LEGAL, name=name[:100], uscc=uscc,
                                    legal_rep_name=legal_rep_name[:50],
                                    legal_rep_id_number=legal_rep_id_number or "", phone=phone or "",
                                    awaiting_claim=True)


def register_entity(actor, *, name: str, uscc: str, registrant: Applicant, legal_rep_name: str = "",
                    role: str = "经营者", case_number: str = "") -> tuple[Applicant, EnterpriseAgent | None]:
    """The entity's applicant (made now, or the one with this code) and the registrant's grant to act
    for it (None when the registrant is not a person, or the code belonged to another account)."""
    uscc = (uscc or "").strip().upper()
    if not uscc or not name:
        raise ValidationError("新设立主体缺少名称或统一社会信用代码，无法建立主体账户")
    person = registrant if registrant is not None and registrant.kind == Applicant.Kind.PERSON else None
    rep_name = (legal_rep_name or "").strip() or (person.name if person is not None else "")
    # The registrant's own ID number is the representative's only when they are the representative.
    rep_id = (person.id_number.reveal_unaudited() if person is not None and person.id_number
              and rep_name == person.name else "")
    entity = Applicant.objects.filter(uscc=uscc).first()
    made = False
    if entity is None:
        try:
            with transaction.atomic():  # a savepoint: a concurrent approval of the same code wins
                entity = _new_applicant(name=name, uscc=uscc, legal_rep_name=rep_name, legal_rep_id_number=rep_id,
                                        phone=registrant.phone.reveal_unaudited()
                                        if registrant is not None and registrant.phone else "")
            made = True
        except IntegrityError:
            entity = Applicant.objects.filter(uscc=uscc).first()
            if entity is None and User.objects.filter(username=login_username(uscc)).exists():
                # the login name is taken by an account without this code
                raise ValidationError(f"统一社会信用代码{uscc}的登录账号已被占用，无法建立主体账户：请联系平台管理员") from None
            if entity is None:
                raise
    if made:
        audit.record("accounts.entity_registered", actor=actor, obj=entity,
                     after={"name": entity.name, "uscc": uscc, "case": case_number})
    if person is None or person.user_id is None:
        return entity, None
    grant = EnterpriseAgent.objects.filter(enterprise=entity, agent_id=person.user_id, revoked_at__isnull=True).first()
    if grant is not None:
        return entity, grant
    if not made:
        # The code was someone's account already (not made by this registration): no grant.
        log.warning("entity %s already had an account: no grant to applicant %s", uscc, person.pk)
        audit.record("accounts.entity_grant_skipped", actor=actor, obj=entity,
                     after={"uscc": uscc, "registrant": person.pk, "case": case_number})
        return entity, None
    grant = EnterpriseAgent.objects.create(
        enterprise=entity, agent_id=person.user_id, scope=ALL_SCOPES, granted_by=None,
        note=f"{role}（设立登记自动授权，办件 {case_number}）"[:200])
    audit.record("accounts.agent_grant", actor=actor, obj=grant,
                 after={"enterprise": uscc, "agent_user": person.user_id, "scope": ALL_SCOPES,
                        "reason": "设立登记", "case": case_number})
    return entity, grant
