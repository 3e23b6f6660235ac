"""Applicants (自然人): valid 身份证号, encrypted ID and phone with their blind indexes, derived
usernames and one shared pre-computed password hash; and the name pools other domains draw from."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.hashers import make_password
from django.db import transaction

from .bulk import Table, analyze, next_id, reset_sequences, ts
from .context import BENCH_PASSWORD, Context

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强海燕婷玉兰子涵浩然欣怡宇轩梓涵一诺雨泽思远佳怡俊杰晨阳"
# Codes the 身份证 validator (python-stdnum) accepts for people born 1990–2005, outside the demo
# district (whose demo citizen must not collide).
ID_REGIONS = ["410102", "410103", "410104", "410106", "410108", "410122"]
BIRTH_BASE = dt.date(1990, 1, 1)
BIRTH_SPAN = 5800  # days: births 1990-01-01 … 2005-11


def applicant_id_number(i: int) -> str:
    """The 身份证号 of generated applicant ``i`` (0-based): unique, valid check digit, stable."""
    from zhengwu.core.identifiers import make_id_number

    region = ID_REGIONS[i % len(ID_REGIONS)]
    k = i // len(ID_REGIONS)
    birth = BIRTH_BASE + dt.timedelta(days=(k * 7919) % BIRTH_SPAN)
    seq = k // BIRTH_SPAN + 1
    return make_id_number(f"{region}{birth:%Y%m%d}{seq % 1000:03d}")


def applicant_phone(i: int) -> str:
    return f"13{(i * 7919 + 12345) % 10**9:09d}"


def gen_applicants(ctx: Context) -> int:
    from zhengwu.accounts.models import Applicant, User
    from zhengwu.core import pii

    rnd = ctx.rnd("applicants")
    password = make_password(BENCH_PASSWORD)  # once: not 200,000 password hashes
    uid, aid = next_id(User), next_id(Applicant)
    users, applicants = [], []
    joined = ts(ctx.now - dt.timedelta(days=400))
    for i in range(ctx.size.applicants):
        number = applicant_id_number(i)
        index = pii.blind_index("id_number", number)
        phone = applicant_phone(i)
        name = rnd.choice(SURNAMES) + "".join(rnd.sample(GIVEN, rnd.choice([1, 2])))
        users.append((uid, password, None, False, "p-" + index, "", "", "", False, True, joined, "person", name, "", "",
                      joined, False))
        applicants.append((aid, uid, "person", name, pii.encrypt(number), index, None, "", "", "",
                           pii.encrypt(phone), pii.blind_index("phone", phone), joined, False, None))
        uid += 1
        aid += 1
    with transaction.atomic():
        Table(User, ["id", "password", "last_login", "is_superuser", "username", "first_name", "last_name", "email",
                     "is_staff", "is_active", "date_joined", "kind", "display_name", "phone", "phone_index",
                     "password_changed_at", "must_change_password"]).write(users)
        Table(Applicant, ["id", "user_id", "kind", "name", "id_number", "id_number_index", "uscc", "legal_rep_name",
                          "legal_rep_id_number", "legal_rep_id_number_index", "phone", "phone_index",
                          "created_at", "awaiting_claim", "claimed_at"]).write(applicants)
    reset_sequences(User, Applicant)
    analyze(User, Applicant)
    ctx.applicant_ids = list(Applicant.objects.order_by("pk").values_list("pk", flat=True))
    return len(applicants)
