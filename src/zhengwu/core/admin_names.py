"""Chinese names for the third-party models the 系统管理员 sees in the admin (their packages ship
no Chinese): "Access attempts" → 登录尝试, "TOTP devices" → 动态口令设备 …, set once at startup."""

from __future__ import annotations

from django.apps import apps

# app label → (the app's name, {model name: (verbose_name, verbose_name_plural)})
NAMES = {
    "axes": ("登录失败锁定", {"accessattempt": ("登录失败记录", "登录失败记录"),
                              "accesslog": ("登录日志", "登录日志"),
                              "accessfailurelog": ("登录失败明细", "登录失败明细")}),
    "otp_totp": ("动态口令", {"totpdevice": ("动态口令设备", "动态口令设备")}),
    "otp_static": ("备用口令", {"staticdevice": ("备用口令设备", "备用口令设备")}),
    "django_tasks_database": ("后台任务", {"dbtaskresult": ("任务结果", "任务结果")}),
}


def apply() -> None:
    for label, (app_name, models) in NAMES.items():
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        config.verbose_name = app_name
        for model_name, (one, many) in models.items():
            try:
                meta = config.get_model(model_name)._meta
            except LookupError:
                continue
            meta.verbose_name, meta.verbose_name_plural = one, many
