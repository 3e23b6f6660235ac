"""Demo accounts of the local 统一身份认证 provider and the platform's two clients.

``python devtools/idp/manage.py seed [--zhengwu-url http://127.0.0.1:8000 ...]`` (idempotent; run it
again with another ``--zhengwu-url`` to allow that address too). Prints the
``ZHENGWU_OIDC_PROVIDERS`` value that points the platform at this provider.
"""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from oauth2_provider.models import get_application_model

from idp.models import Profile

PASSWORD = "Idp-Demo-2026"
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(body17: str) -> str:
    """GB 11643: the 18th character is the ISO 7064 MOD 11-2 check."""
    return body17 + "10X98765432"[sum(int(c) * w for c, w in zip(body17, WEIGHTS, strict=True)) % 11]


def uscc(authority_type: str, region6: str, org_code8: str) -> str:
    """GB 32100: the organisation code's GB 11714 check, then the MOD 31 check."""
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    c9 = 11 - sum(digits.index(c) * w for c, w in zip(org_code8, [3, 7, 9, 10, 5, 8, 4, 2], strict=True)) % 11
    body17 = authority_type + region6 + org_code8 + {10: "X", 11: "0"}.get(c9, str(c9))
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(alphabet.index(c) * w for c, w in zip(body17, weights, strict=True))
    return body17 + alphabet[(31 - total % 31) % 31]


# (username, name, 身份证号, 统一社会信用代码, phone, 实名等级, legal rep)
ACCOUNTS = [
    ("zhangxiaomin", "张小民", id_number("41010519900307123"), "", "13803710001", "L2", ""),
    ("wangxinmin", "王新民", id_number("41010519920815201"), "", "13803710011", "L2", ""),
    ("lishouji", "李手机", id_number("41010519880101302"), "", "13803710012", "L1", ""),
    ("zhaorenlian", "赵人脸", id_number("41010519750620403"), "", "13803710013", "L3", ""),
    ("maoming", "冒名者", id_number("41010519900307123"), "", "13803710014", "L2", ""),  # 张小民's number, other name
    ("qiye", "郑州金水新创科技有限公司", "", uscc("91", "410105", "MA9XNEW1"), "13803710015", "L2", "周法人"),
    # Staff SSO (政务外网): the username claim names the platform's staff account.
    ("chuangkou", "王窗口", "", "", "", "L2", ""),
    ("shenpi_ga", "李审批", "", "", "", "L2", ""),
    ("waiyuan", "外单位人员", "", "", "", "L2", ""),  # no staff account on the platform
]
CLIENTS = {
    # name: (client id, client secret, display name, role)
    "citizen": ("zhengwu-citizen", "zhengwu-citizen-dev-secret", "统一身份认证平台（本地开发）", "citizen"),
    "staff": ("zhengwu-staff", "zhengwu-staff-dev-secret", "政务外网统一认证（本地开发）", "staff"),
}


class Command(BaseCommand):
    help = "创建本地统一身份认证平台的演示账号和政务服务平台的客户端"

    def add_arguments(self, parser):
        parser.add_argument("--zhengwu-url", action="append", default=[],
                            help="政务服务平台的地址（可重复），默认 http://127.0.0.1:8000 和 http://localhost:8000")
        parser.add_argument("--issuer", default="http://127.0.0.1:9000/o", help="打印配置用的签发方地址")

    def handle(self, *args, **options):
        User = get_user_model()
        for username, name, idn, code, phone, level, rep in ACCOUNTS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username)
                user.set_password(PASSWORD)
                user.save()
            Profile.objects.update_or_create(user=user, defaults={
                "name": name, "id_number": idn, "uscc": code, "phone": phone, "real_name_level": level,
                "legal_rep_name": rep, "legal_rep_id_number": id_number("41010519800101504") if rep else ""})
        Application = get_application_model()
        urls = options["zhengwu_url"] or ["http://127.0.0.1:8000", "http://localhost:8000"]
        config = {}
        for name, (client_id, secret, display, role) in CLIENTS.items():
            app = Application.objects.filter(client_id=client_id).first()
            wanted = [f"{u.rstrip('/')}/accounts/oidc/{name}/callback/" for u in urls]
            if app is None:
                app = Application(client_id=client_id, client_secret=secret, name=display,
                                  client_type=Application.CLIENT_CONFIDENTIAL,
                                  authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
                                  algorithm=Application.RS256_ALGORITHM, skip_authorization=True)
                known = []
            else:
                known = app.redirect_uris.split()
            app.redirect_uris = " ".join(dict.fromkeys(known + wanted))
            app.save()
            config[name] = {"display_name": display, "role": role, "issuer": options["issuer"],
                            "client_id": client_id, "client_secret": secret, "scopes": "openid profile phone idcard"}
        self.stdout.write(f"演示账号（密码 {PASSWORD}）：" + "、".join(a[0] for a in ACCOUNTS))
        self.stdout.write("ZHENGWU_OIDC_PROVIDERS='" + json.dumps(config, ensure_ascii=False) + "'")
