"""``zhengwu ratings_defaults``: record 默认好评 for unrated events (when the local rules say so)."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "按本地规则为超期未评价的服务记录默认好评（规则未启用时不做任何事）"

    def handle(self, *args, **opts):
        from zhengwu.ratings.services import apply_default_ratings, get_rules

        if not get_rules().default_enabled:
            self.stdout.write("本地规则未启用默认好评：未记录任何评价。")
            return
        n = apply_default_ratings()
        self.stdout.write(self.style.SUCCESS(f"已记录默认好评 {n} 条。"))
