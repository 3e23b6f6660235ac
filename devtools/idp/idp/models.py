from django.conf import settings
from django.db import models


class Profile(models.Model):
    """The verified identity a provider account carries (given out as ID token claims).
    Development data only: stored in the clear."""

    LEVELS = [("L1", "L1 手机号实名"), ("L2", "L2 身份证核验"), ("L3", "L3 人脸识别")]

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    name = models.CharField("姓名/单位名称", max_length=100)
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    legal_rep_name = models.CharField("法定代表人", max_length=50, blank=True)
    legal_rep_id_number = models.CharField("法定代表人身份证号", max_length=18, blank=True)
    phone = models.CharField("手机号码", max_length=20, blank=True)
    real_name_level = models.CharField("实名等级", max_length=2, choices=LEVELS, default="L2")

    def __str__(self):
        return self.name
