"""Fixtures for hotline tests: a small district with three departments, a taxonomy, the centre,
department staff and a citizen."""

from __future__ import annotations

import io

import pytest

TAXONOMY_CSV = """一级分类,二级分类,三级分类,承办单位,办理时限,关键词
市场监管,食品安全,餐饮卫生,市场监管局,5,饭店 卫生 腹泻 变质
市场监管,消费维权,预付卡退费,市场监管局,10,预付卡 退费 会员卡
城市管理,市容环境,垃圾清运,城管局,3,垃圾 清运
城市管理,市容环境,占道经营,城管局,,占道 摊贩
环境保护,噪声污染,施工噪声,生态环境分局,3,噪音 施工
""".encode("utf-8")


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Each process caches the model, rules, taxonomy and knowledge index: start every test clean."""
    from zhengwu.hotline import classifier, knowledge

    classifier.invalidate()
    classifier._served.model = classifier._served.version = None
    knowledge.invalidate()
    yield
    classifier.invalidate()
    knowledge.invalidate()


@pytest.fixture
def market(make_department):
    return make_department(name="郑州市金水区市场监督管理局", short_name="市场监管局")


@pytest.fixture
def urban(make_department):
    return make_department(name="郑州市金水区城市管理局", short_name="城管局")


@pytest.fixture
def env(make_department):
    return make_department(name="郑州市生态环境局金水分局", short_name="生态环境分局")


@pytest.fixture
def bureau(make_department):
    return make_department(name="郑州市金水区政务服务和大数据管理局", short_name="政务服务和大数据管理局")


@pytest.fixture
def street(district):
    from zhengwu.org.models import Region

    return Region.objects.get_or_create(code="410105001000", defaults={"name": "经八路街道", "parent": district})[0]


@pytest.fixture
def taxonomy(market, urban, env, bureau):
    from zhengwu.hotline import classifier, services
    from zhengwu.hotline.models import Category

    report = services.import_categories(None, TAXONOMY_CSV, "taxonomy.csv")
    assert report["ok"], report
    classifier.invalidate()
    return {c.path: c for c in Category.objects.all()}


@pytest.fixture
def centre(make_staff):
    return make_staff("hotline", username="rexian_t")


@pytest.fixture
def supervisor(make_staff):
    return make_staff("supervisor", username="duban_t")


@pytest.fixture
def handler(make_staff, market):
    return make_staff("dept_admin", department=market, username="bumen_t")


@pytest.fixture
def urban_handler(make_staff, urban):
    return make_staff("approver", department=urban, username="chengguan_t")


@pytest.fixture
def leader(make_staff):
    return make_staff("leader", username="lingdao_t")


@pytest.fixture
def citizen(make_citizen):
    return make_citizen(name="张市民", phone="13912345678")


@pytest.fixture
def new_ticket(centre, taxonomy, street):
    """new_ticket(**overrides): register a ticket as the centre (not dispatched)."""
    from zhengwu.hotline import services

    def make(**kw):
        data = {"ticket_type": "complaint", "content": "经八路一家饭店后厨卫生脏乱差，吃完后腹泻，商家拒绝赔偿。",
                "phone": "13800001111", "caller_name": "王先生", "address": "经八路88号", "region": street.code,
                "category": taxonomy["市场监管/食品安全/餐饮卫生"].pk}
        data.update(kw)
        return services.register(centre, data)

    return make


@pytest.fixture
def dispatched(new_ticket, centre, market):
    from zhengwu.hotline import services

    def make(**kw):
        t = new_ticket(**kw)
        return services.dispatch(centre, t, t.lock_version, market.pk)

    return make


@pytest.fixture
def out():
    return io.StringIO()
