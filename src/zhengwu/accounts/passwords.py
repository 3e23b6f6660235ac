"""Password rules fit for 等保三级: length ≥ 8 (settings) and three of four character classes."""

from __future__ import annotations

import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule in Chinese (its own message has no zh-hans translation and reached
    applicants in English)."""

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(f"密码太短：至少 {self.min_length} 位（现在 {len(password)} 位）",
                                  code="password_too_short")

    def get_help_text(self):
        return f"密码至少 {self.min_length} 位。"


class ComplexityValidator:
    classes = (
        (re.compile(r"[a-z]"), "小写字母"),
        (re.compile(r"[A-Z]"), "大写字母"),
        (re.compile(r"\d"), "数字"),
        (re.compile(r"[^A-Za-z0-9]"), "特殊字符"),
    )

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        present = sum(1 for pattern, _ in self.classes if pattern.search(password))
        if present < self.min_classes:
            raise ValidationError(
                f"密码太简单：须包含大写字母、小写字母、数字、特殊字符中的至少{self.min_classes}类",
                code="password_too_simple",
            )

    def get_help_text(self):
        return f"密码须包含大写字母、小写字母、数字、特殊字符中的至少{self.min_classes}类。"
