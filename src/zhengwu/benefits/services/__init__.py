"""The write path of 免申即享 (the ONE place a policy, a run or an entitlement changes).

- :mod:`.policies`: create, edit (lock_version), publish, stop a policy (政策管理);
- :mod:`.runs`: queue a 资格比对 and run it in keyset batches (the worker's job);
- :mod:`.entitlements`: the holder's 确认享受 / 放弃, staff's 标记已发放, notifications.
"""

from zhengwu.core.transitions import Stale


class StalePolicy(Stale):
    message = "该政策已被他人修改，请刷新页面后重试"


class StaleEntitlement(Stale):
    message = "该政策享受状态已变化，请刷新页面后重试"
