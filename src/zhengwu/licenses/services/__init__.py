"""The write path of the 电子证照 registry (the ONE place a licence or a type changes).

- :mod:`.types`: 证照类型 maintenance (事项管理员, 数据管理员);
- :mod:`.issuing`: issue on 准予 (``issue_for_case``), 变更 to a new version;
- :mod:`.status`: 注销, 吊销 (staff or a later case), the expiry job.
"""

from zhengwu.core.transitions import Stale


class StaleLicence(Stale):
    message = "该证照已被他人处理，请刷新页面后重试"


class StaleType(Stale):
    message = "该证照类型已被他人修改，请刷新页面后重试"
