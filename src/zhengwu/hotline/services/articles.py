"""The knowledge base (知识库): answers the centre gives on the phone."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from zhengwu.core import audit
from zhengwu.org.models import Role
from zhengwu.org.permissions import has_role, is_sysadmin

from ..models import KnowledgeArticle
from .base import _category, _text, is_centre


# -- knowledge base -------------------------------------------------------------------------------------
@transaction.atomic
def save_article(user, data: dict, article: KnowledgeArticle | None = None) -> KnowledgeArticle:
    if not (is_centre(user) or has_role(user, Role.DEPT_ADMIN) or is_sysadmin(user)):
        raise PermissionDenied("仅热线坐席、督办人员或部门管理员可以维护知识库")
    title = _text(data.get("title"), "title", "标题")
    answer = _text(data.get("answer"), "answer", "答复口径", max_len=8000)
    a = article or KnowledgeArticle()
    before = {"title": a.title} if article else None
    a.title, a.answer = title, answer
    a.question = _text(data.get("question"), "question", "常见问法", required=False, max_len=2000)
    a.keywords = _text(data.get("keywords"), "keywords", "关键词", required=False)
    a.source = _text(data.get("source"), "source", "政策依据", required=False)
    a.category = _category(data.get("category")) if data.get("category") else None
    a.is_active = bool(data.get("is_active", True))
    a.save()
    audit.record("hotline.knowledge.save", actor=user, obj=a, before=before, after={"title": a.title})
    return a
