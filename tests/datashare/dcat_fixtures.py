"""Shared helpers of the 资源目录 tests (dcat): departments, staff, a valid resource."""

import pytest


@pytest.fixture
def people(make_department, make_staff):
    """Two departments, a 数据管理员 for the district, a 部门管理员 of each department, a window clerk."""
    police = make_department(name="公安分局", short_name="公安分局")
    market = make_department(name="市场监管局", short_name="市场监管局")

    class P:
        pass

    p = P()
    p.police, p.market = police, market
    p.data_admin = make_staff("data_admin", username="shuju_t")
    p.police_admin = make_staff("dept_admin", department=police, username="ga_admin")
    p.market_admin = make_staff("dept_admin", department=market, username="sj_admin")
    p.window = make_staff("window", username="ck_t")
    return p


def resource_data(dept, code="101001/000001", **kw):
    return {"code": code, "name": "人口基本信息", "provider": dept.pk, "share_type": "conditional",
            "share_condition": "办理事项时核验身份", "open_type": "closed", "summary": "人口基础信息",
            "update_cycle": "实时", "format": "接口", "registry": "person", **kw}


FIELDS = [{"key": "id_number", "name": "公民身份号码", "length": 18, "personal": True},
          {"key": "name", "name": "姓名", "length": 50, "personal": True},
          {"key": "gender", "name": "性别", "length": 2, "share_type": "unconditional"}]


def published(actor, dept, code="101001/000001", **kw):
    from zhengwu.datashare.services import catalogue

    r = catalogue.create_resource(actor, resource_data(dept, code, **kw), FIELDS)
    r = catalogue.transition(actor, r.pk, r.lock_version, "submit")
    return catalogue.transition(actor, r.pk, r.lock_version, "approve")
