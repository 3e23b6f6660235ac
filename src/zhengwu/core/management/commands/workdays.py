from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from zhengwu.core import calendar
from zhengwu.core.services import parse_date


class Command(BaseCommand):
    help = "工作日计算：add DATE N（N个工作日后的日期）；check DATE（是否工作日、数据是否已核实）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="DATE 之后第 N 个工作日")
        add.add_argument("date")
        add.add_argument("n", type=int)
        check = sub.add_parser("check", help="DATE 是否为工作日")
        check.add_argument("date")
        between = sub.add_parser("between", help="(A, B] 之间的工作日数")
        between.add_argument("a")
        between.add_argument("b")

    def handle(self, *args, **options):
        try:
            if options["action"] == "add":
                day = parse_date(options["date"])
                result = calendar.add_workdays(day, options["n"])
                verified = calendar.get_calendar().is_verified(day) and calendar.get_calendar().is_verified(result)
                self.stdout.write(f"{day:%Y-%m-%d} 之后第 {options['n']} 个工作日：{result:%Y-%m-%d}")
                self._verified(verified, day.year, result.year)
            elif options["action"] == "check":
                day = parse_date(options["date"])
                r = calendar.check(day)
                self.stdout.write(f"{day:%Y-%m-%d}：{'工作日' if r.is_workday else '休息日'}（{r.reason}）")
                self._verified(r.verified, day.year, day.year)
            else:
                a, b = parse_date(options["a"], "起始日期"), parse_date(options["b"], "结束日期")
                n = calendar.workdays_between(a, b)
                self.stdout.write(f"{a:%Y-%m-%d} 至 {b:%Y-%m-%d}：{n} 个工作日")
                cal = calendar.get_calendar()
                self._verified(cal.is_verified(a) and cal.is_verified(b), a.year, b.year)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None

    def _verified(self, ok: bool, y1: int, y2: int) -> None:
        years = f"{y1}" if y1 == y2 else f"{y1}–{y2}"
        if ok:
            self.stdout.write(f"节假日数据：已核实（{years}年）")
        elif all(calendar.get_calendar().year_status(y) != "weekdays" for y in range(y1, y2 + 1)):
            self.stdout.write(f"节假日数据：未核实（{years}年含放假安排尚未公布的年份：已计入法定节假日，调休未知，"
                              "结果可能在通知发布后变动）")
        else:
            self.stdout.write(f"节假日数据：未核实（{years}年含无数据年份，按周一至周五计算）")
