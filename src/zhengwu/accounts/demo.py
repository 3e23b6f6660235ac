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
