"""申报表单 of the demo's most used items (JSON Schema, as the application page renders it).

``FORMS`` maps an item name to its form. The shape is what
:mod:`zhengwu.cases.formrender` draws and :mod:`zhengwu.cases.forms_schema` validates: a
``type: object`` schema with Chinese ``title``s, ``x-order`` for the field order (PostgreSQL's
``jsonb`` does not keep key order), ``x-prefill`` for what the verified account already knows
(``name``, ``uscc``, ``legal_rep_name``: shown read-only), ``format: date`` for dates and
``enum`` for choices. The same key means the same field: a 一件事 asks it once for all its items
(一表申请), so shared fields are defined once below.

No form asks for an ID or phone number: form data is not encrypted; the case refers to its
applicant, whose ID and phone stay in encrypted columns (the materials carry the documents).

Choice values avoid full-width forms such as （）: the renderer NFKC-normalises what is posted
(``zhengwu.cases.formrender._normalise``), so "（" would come back as "(" and match no choice.
"""

from __future__ import annotations


def _text(title: str, *, min_length: int | None = None, max_length: int = 50, **extra) -> dict:
    prop = {"type": "string", "title": title, "maxLength": max_length, **extra}
    if min_length:
        prop["minLength"] = min_length
    return prop


def _long_text(title: str, max_length: int = 500, **extra) -> dict:
    return {"type": "string", "title": title, "maxLength": max_length, "x-widget": "textarea", **extra}


def _date(title: str, **extra) -> dict:
    return {"type": "string", "format": "date", "title": title, **extra}


def _choice(title: str, values: list[str], **extra) -> dict:
    return {"type": "string", "title": title, "enum": values, **extra}


def _form(required: list[str], **properties: dict) -> dict:
    missing = [k for k in required if k not in properties]
    if missing:
        raise ValueError(f"required fields without a definition: {missing}")
    return {"type": "object", "x-order": list(properties), "required": required, "properties": properties}


# -- fields shared by several items (and asked once in a 一件事) ---------------------------------
APPLICANT = {"type": "string", "title": "申请人", "x-prefill": "name", "maxLength": 100}
USCC = {"type": "string", "title": "统一社会信用代码", "x-prefill": "uscc", "maxLength": 18,
        "description": "企业、个体工商户申请时由实名认证信息带出；个人申请的不填"}
LEGAL_REP = {"type": "string", "title": "法定代表人（负责人）", "x-prefill": "legal_rep_name", "maxLength": 50}
SHOP_ADDRESS = _text("经营场所", min_length=5, max_length=200, examples=["郑州市金水区经三路68号1层"],
                     description="具体到门牌号、楼层、房号，与房屋产权证明或租赁合同一致")
BUSINESS_SCOPE = _long_text("经营范围", description="按《经营范围登记规范表述目录》选择填写，多项用顿号分隔",
                            minLength=2)
COLLECT = _choice("领取方式", ["窗口领取", "免费邮寄送达"])
MAIL_ADDRESS = _text("邮寄地址", max_length=200, description="选择免费邮寄送达时填写，写明收件人和地址",
                     examples=["郑州市金水区花园路街道农业路8号院3号楼2单元501室"])
BANKS = ["中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "交通银行", "中国邮政储蓄银行", "郑州银行", "中原银行"]

FORMS: dict[str, dict] = {
    # 公安分局 -----------------------------------------------------------------------------------
    "出生登记": _form(
        ["applicant_name", "relation", "baby_name", "baby_gender", "birth_date", "birth_certificate_no",
         "settle_with", "household_address"],
        applicant_name=APPLICANT,
        relation=_choice("申报人与新生儿关系", ["父亲", "母亲", "祖父母、外祖父母", "其他监护人"]),
        baby_name=_text("新生儿姓名", min_length=2, max_length=20),
        baby_gender=_choice("新生儿性别", ["男", "女"]),
        birth_date=_date("出生日期"),
        # 《户口登记条例》第七条: declared within a month of birth — the window checks the date.
        birth_certificate_no=_text("出生医学证明编号", max_length=10, pattern="^[A-Z][0-9]{9}$",
                                   description="出生医学证明右上角的编号：1位大写字母加9位数字", examples=["R410123456"]),
        birth_place=_text("出生地（医院）", max_length=100, examples=["郑州大学第三附属医院"]),
        ethnicity=_text("民族", max_length=10, examples=["汉族"]),
        settle_with=_choice("落户方式", ["随父落户", "随母落户"]),
        household_address=_text("落户地址（户口簿住址）", min_length=5, max_length=200,
                                examples=["郑州市金水区花园路街道农业路8号院3号楼2单元501室"]),
    ),
    "居民身份证换领": _form(
        ["applicant_name", "reason", "collect"],
        applicant_name=APPLICANT,
        # 《居民身份证法》第十一条: 有效期满、登记项目变更、严重损坏不能辨认.
        reason=_choice("换领原因", ["有效期满", "登记项目变更", "证件严重损坏不能辨认"]),
        old_expiry=_date("原证有效期截止日期"),
        collect=COLLECT,
        mail_address=MAIL_ADDRESS,
    ),
    "无犯罪记录证明开具": _form(
        ["applicant_name", "purpose", "receiving_unit"],
        applicant_name=APPLICANT,
        purpose=_choice("证明用途", ["就业", "入学", "出国出境", "办理居住证件", "其他"]),
        receiving_unit=_text("接收单位", min_length=2, max_length=100, examples=["郑州市某某有限公司"]),
        note=_long_text("其他说明", max_length=300),
    ),
    # 市场监管局 ----------------------------------------------------------------------------------
    "个体工商户设立登记": _form(
        ["applicant_name", "organisation", "shop_address", "business_scope", "capital"],
        applicant_name=APPLICANT,
        trade_name=_text("个体工商户名称（字号）", max_length=50, examples=["金水区老王小吃店"],
                         description="可以不使用名称；使用的须符合名称登记规定"),
        organisation=_choice("组成形式", ["个人经营", "家庭经营"]),
        shop_address=SHOP_ADDRESS,
        business_scope=BUSINESS_SCOPE,
        capital={"type": "number", "title": "资金数额（万元）", "minimum": 0, "maximum": 100000},
        employees={"type": "integer", "title": "从业人数", "minimum": 0, "maximum": 10000},
    ),
    "企业设立登记": _form(
        ["company_name", "company_type", "registered_capital", "legal_representative", "shop_address",
         "business_scope", "shareholders"],
        company_name=_text("企业名称", min_length=4, max_length=100, examples=["郑州某某餐饮管理有限公司"],
                           description="先通过“企业名称自主申报”取得名称"),
        company_type=_choice("企业类型", ["自然人独资有限责任公司", "自然人投资或控股的有限责任公司",
                                          "非上市股份有限公司"]),
        registered_capital={"type": "number", "title": "注册资本（万元）", "exclusiveMinimum": 0, "maximum": 10000000},
        # Titled as the 营业执照 prints it: the licence's 法定代表人 is filled from it (the same label).
        legal_representative=_text("法定代表人", min_length=2, max_length=50, description="填写法定代表人姓名"),
        shop_address=SHOP_ADDRESS,
        business_scope=BUSINESS_SCOPE,
        # 《公司法》（2023年修订）第四十二条: 有限责任公司由一个以上五十个以下股东出资设立.
        shareholders={"type": "integer", "title": "股东（发起人）人数", "minimum": 1, "maximum": 200,
                      "description": "有限责任公司为1至50人"},
    ),
    "食品经营许可证核发": _form(
        ["applicant_name", "shop_address", "main_business", "business_items", "area", "safety_manager"],
        applicant_name=APPLICANT,
        uscc=USCC,
        legal_rep=LEGAL_REP,
        # 住所 and 经营场所 are both printed on the 食品经营许可证 (the licence's fields of the same title).
        residence=_text("住所", max_length=200, examples=["郑州市金水区经三路68号"],
                        description="营业执照登记的住所（个体工商户填写经营场所）"),
        shop_address=SHOP_ADDRESS,
        # 《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号）第十条（主体业态）、第十一条（经营项目）.
        main_business=_choice("主体业态", ["食品销售经营者", "餐饮服务经营者", "集中用餐单位食堂"]),
        business_items={"type": "array", "title": "经营项目", "minItems": 1, "uniqueItems": True,
                        "items": {"type": "string", "enum": [
                            "预包装食品销售", "散装食品销售", "特殊食品销售", "热食类食品制售", "冷食类食品制售",
                            "生食类食品制售", "半成品制售", "自制饮品制售"]}},
        area={"type": "number", "title": "经营场所面积（平方米）", "minimum": 1, "maximum": 100000},
        safety_manager=_text("食品安全管理人员姓名", min_length=2, max_length=50),
    ),
    # 人社局、医保局、公积金中心 ----------------------------------------------------------------------
    "失业保险金申领": _form(
        ["applicant_name", "last_employer", "separation_date", "separation_reason", "bank"],
        applicant_name=APPLICANT,
        last_employer=_text("原工作单位", min_length=2, max_length=100),
        separation_date=_date("终止或解除劳动关系日期"),
        # 《失业保险条例》第十四条第二项: 非因本人意愿中断就业的.
        separation_reason=_choice("离职原因", ["劳动合同期满终止", "用人单位解除劳动合同", "用人单位破产、撤销或关闭",
                                               "因用人单位过错本人解除劳动合同", "其他非本人意愿中断就业"]),
        bank=_choice("失业保险金发放银行", BANKS, description="发放到本人社会保障卡的金融账户"),
    ),
    "社会保障卡申领": _form(
        ["card_holder", "bank", "collect"],
        card_holder=_text("持卡人姓名", min_length=2, max_length=50, description="为未成年子女申领的，填写子女姓名"),
        bank=_choice("金融功能合作银行", BANKS),
        collect=COLLECT,
        mail_address=MAIL_ADDRESS,
    ),
    "异地就医备案": _form(
        ["applicant_name", "filing_type", "destination", "start_date"],
        applicant_name=APPLICANT,
        filing_type=_choice("备案类型", ["异地长期居住人员", "常驻异地工作人员", "异地转诊就医人员", "临时外出就医人员"]),
        destination=_text("就医地（省、市）", min_length=2, max_length=50, examples=["海南省海口市"]),
        start_date=_date("备案开始日期"),
        destination_address=_text("就医地居住地址", max_length=200),
    ),
    "住房公积金提取（租赁住房）": _form(
        ["applicant_name", "rental_address", "monthly_rent", "lease_start", "lease_end"],
        applicant_name=APPLICANT,
        rental_address=_text("租赁住房地址", min_length=5, max_length=200),
        monthly_rent={"type": "number", "title": "月租金（元）", "exclusiveMinimum": 0, "maximum": 100000},
        lease_start=_date("租赁开始日期"),
        lease_end=_date("租赁结束日期"),
        amount={"type": "number", "title": "申请提取金额（元）", "exclusiveMinimum": 0, "maximum": 1000000,
                "description": "不填的按本市租房提取额度提取；提取金额划入本人在公积金中心登记的银行卡"},
    ),
}
