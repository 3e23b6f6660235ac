"""Demo applicants: one citizen and one enterprise (the numbers pass their checks; not real)."""

from zhengwu.core.identifiers import make_id_number, make_uscc
from zhengwu.org.demo import DEMO_PASSWORD

from . import services
from .models import User

CITIZEN_ID = make_id_number("41010519900307123")
LEGAL_REP_ID = make_id_number("41010519850612234")
ENTERPRISE_USCC = make_uscc("9", "1", "410105", "MA9XKT3Q")


def load(stdout) -> None:
    from .backends import login_username

    if not User.objects.filter(username=login_username(CITIZEN_ID)).exists():
        services.register_person(name="张小民", id_number=CITIZEN_ID, phone="13803710001",
                                 password=DEMO_PASSWORD, password2=DEMO_PASSWORD)
    if not User.objects.filter(username=login_username(ENTERPRISE_USCC)).exists():
        services.register_legal(name="郑州金水示范餐饮有限公司", uscc=ENTERPRISE_USCC, legal_rep_name="刘企业",
                                legal_rep_id_number=LEGAL_REP_ID, phone="13803710002",
                                password=DEMO_PASSWORD, password2=DEMO_PASSWORD)
    stdout.write(f"演示申请人：个人 {CITIZEN_ID}，企业 {ENTERPRISE_USCC}（密码 {DEMO_PASSWORD}）")


# The demo 系统管理员's 动态口令 (TOTP) secret, published in the README so that anyone trying the demo
# can add it to an authenticator app (or run `oathtool --totp -b <secret>`): the demo shows the
# second factor a bureau's administrators will use. Never use the demo data in production.
DEMO_ADMIN_TOTP_BASE32 = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def finish(stdout) -> None:
    """Only from `zhengwu demo` (not the test fixtures' load): enrol the demo admin's TOTP device."""
    import base64

    from django_otp.plugins.otp_totp.models import TOTPDevice

    admin = User.objects.filter(username="admin").first()
    if admin is None or TOTPDevice.objects.filter(user=admin, confirmed=True).exists():
        return
    key = base64.b32decode(DEMO_ADMIN_TOTP_BASE32).hex()
    TOTPDevice.objects.create(user=admin, name="演示动态口令", key=key, confirmed=True)
    stdout.write(f"演示系统管理员 admin 的动态口令密钥（Base32，添加到验证器应用）：{DEMO_ADMIN_TOTP_BASE32}")
