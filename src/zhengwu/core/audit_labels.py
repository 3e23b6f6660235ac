"""What an audit record's action code means, in Chinese, for the 审计日志 an auditor reads
("pii.reveal" → 查看个人信息明文). The code stays the record's key; this is only its reading.

A code is read by its whole (:data:`ACTIONS`) or else by its domain (the part before the first dot,
:data:`DOMAINS`) and its last word (:data:`VERBS`); an unknown code is shown as it is.
"""

from __future__ import annotations

ACTIONS = {
    "pii.reveal": "查看个人信息明文",
    "accounts.login": "登录", "accounts.otp_verify": "动态口令验证通过", "accounts.otp_failed": "动态口令验证失败",
    "accounts.otp_enrol": "绑定动态口令", "accounts.otp_remove": "解绑动态口令",
    "accounts.password_change": "修改密码", "accounts.password_reset": "重置密码",
    "accounts.phone_change": "更换手机号码", "accounts.register_person": "个人注册", "accounts.register_legal": "法人注册",
    "accounts.entity_claimed": "认领主体账号",
    "accounts.sms_code_sent": "发送短信验证码", "accounts.sms_outbox_read": "查看短信发件箱",
    "accounts.create_staff": "新建工作人员账号", "accounts.agent_grant": "授权经办人", "accounts.agent_revoke": "撤销经办人",
    "accounts.agent_act": "以经办人身份办事", "accounts.agent_stop": "结束经办人身份",
    "accounts.identity_link": "绑定统一身份认证", "accounts.identity_unlink": "解绑统一身份认证",
    "accounts.identity_refused": "统一身份认证被拒绝", "accounts.oidc_failure": "统一身份认证失败",
    "case.file_read": "查看办件材料", "case.read": "只读查看办件", "datashare.grant.key_shown": "显示共享授权密钥",
    "datashare.registry.lookup": "基础库查询", "licenses.pdf_read": "查看证照文件", "licences.download": "下载证照文件",
    "licences.show.create": "亮证", "licences.show.view": "核验亮证码", "hotline.photo.read": "查看诉求照片",
    "inspections.attachment.read": "查看检查附件", "ops.backup": "备份", "ops.restore": "恢复",
    "org.role.grant": "授予角色", "org.role.revoke": "撤销角色",
}
DOMAINS = {
    "accounts": "账号", "apikey": "应用密钥", "benefits": "免申即享", "calendar": "工作日历", "case": "办件", "cases": "办件",
    "catalog": "事项目录", "datashare": "数据共享", "feeds": "上报上级平台", "files": "文件", "hotline": "12345热线",
    "insights": "统计分析", "inspections": "监管", "licences": "电子证照", "licenses": "电子证照", "ops": "运维",
    "org": "机构与权限", "payments": "收费", "pii": "个人信息", "queue": "排队叫号", "queueing": "大厅",
    "rating": "好差评", "ratings": "好差评", "rectification": "差评整改",
}
VERBS = {
    "create": "新建", "add": "新增", "edit": "修改", "update": "修改", "change": "修改", "delete": "删除",
    "disable": "停用", "enable": "启用", "publish": "发布", "submit": "提交", "reject": "退回", "withdraw": "撤回",
    "revoke": "撤销", "issue": "签发", "import": "导入", "export": "导出", "read": "查看", "view": "查看",
    "download": "下载", "upload": "上传", "lookup": "查询", "start": "开始", "done": "完成", "book": "预约",
    "cancel": "取消", "rebook": "改约", "call": "叫号", "recall": "重新叫号", "transfer": "转窗", "train": "训练",
    "rate": "评价", "urge": "催办", "answer": "答复", "toggle": "启停", "save": "保存", "load_package": "导入数据包",
    "grant": "授权", "expire": "到期", "sent": "已发送", "resend": "重发", "ack": "回执", "prune": "清理",
    "encrypt": "加密", "register": "登记", "record": "录入", "decide": "决定",
}


def action_label(code: str) -> str:
    """The Chinese reading of ``code`` (the code itself when nothing is known of it)."""
    code = code or ""
    if code in ACTIONS:
        return ACTIONS[code]
    domain, _, rest = code.partition(".")
    if domain not in DOMAINS or not rest:
        return code
    last = rest.rstrip(".").rsplit(".", 1)[-1]
    verb = VERBS.get(last) or VERBS.get(last.rsplit("_", 1)[-1])
    return f"{DOMAINS[domain]}：{verb}" if verb else f"{DOMAINS[domain]}：{rest}"
