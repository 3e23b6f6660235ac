"""Bench data (deterministic, realistic shape) and the demo (idempotent) on the demo district."""

import io

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_org():
    from zhengwu.accounts.demo import load as load_accounts
    from zhengwu.org.demo import load as load_org

    load_org(io.StringIO())
    load_accounts(io.StringIO())


def test_benchdata_generates_consistent_tickets(demo_org):
    from zhengwu.hotline import queries, rules
    from zhengwu_bench import hotline as benchdata
    from zhengwu_bench.context import Context, Size
    from zhengwu.hotline.models import Ticket, TicketEvent
    from zhengwu.accounts.models import User

    now = timezone.now().replace(microsecond=0)
    ctx = Context(size=Size("t", 0, 0, 0, 0, tickets=1500), seed=3, today=timezone.localdate(), now=now,
                  log=lambda m: None)
    assert benchdata.generate(ctx) == 1500
    assert Ticket.objects.count() == 1500
    states = dict(Ticket.objects.values_list("state").annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("pk")))
    assert states.get("closed", 0) + states.get("archived", 0) > 900  # most are done
    assert states.get("handling", 0) > 0 and states.get("merged", 0) > 0
    assert TicketEvent.objects.count() > 4 * 1500
    t = Ticket.objects.filter(state="archived").first()
    actions = list(t.events.order_by("at", "pk").values_list("action", flat=True))
    assert actions[0] in ("register", "submit") and actions[-1] == "archive"
    assert str(t.phone).startswith("13") and "****" in str(t.phone)
    assert Ticket.objects.filter(state="handling", due_at__lt=now).exists()  # "some overdue"
    # Every ticket's number follows the rule and the lists work on the generated rows.
    assert all(n.startswith("RX") and len(n) == 17 for n in Ticket.objects.values_list("number", flat=True)[:50])
    rexian = User.objects.get(username="rexian")
    rows, nxt = queries.centre_list(rexian, "todo")
    assert rows and all(r.state in rules.CENTRE_STATES for r in rows)
    bumen = User.objects.get(username="bumen_sj")
    rows, _ = queries.department_list(bumen, "handling")
    assert all(r.lead_department.short_name == "市场监管局" for r in rows)
    # Deterministic: the same seed gives the same first ticket.
    first = Ticket.objects.order_by("pk").values_list("title", "ticket_type", "state").first()
    Ticket.objects.update(merged_into=None)
    Ticket.objects.all().delete()
    ctx2 = Context(size=Size("t", 0, 0, 0, 0, tickets=1500), seed=3, today=ctx.today, now=now, log=lambda m: None)
    benchdata.generate(ctx2)
    assert Ticket.objects.order_by("pk").values_list("title", "ticket_type", "state").first() == first


def test_demo_is_idempotent(demo_org):
    from zhengwu.hotline import demo
    from zhengwu.hotline.models import Category, ClassifierModel, KnowledgeArticle, LedgerOutcome, Ticket

    out = io.StringIO()
    demo.load(out)
    counts = (Category.objects.count(), KnowledgeArticle.objects.count(), Ticket.objects.count(),
              ClassifierModel.objects.count())
    assert Category.objects.filter(level=3).count() == 22
    assert counts[2] == 10 + len(demo.LEDGER_TICKETS) and counts[3] == 1
    ledger_counts = {t: Ticket.objects.filter(ticket_type=t, idempotency_key__startswith="demo-ledger-").count()
                     for t in ("efficiency", "cannot_do")}
    assert ledger_counts == {"efficiency": 4, "cannot_do": 4} and LedgerOutcome.objects.count() == 6
    states = set(Ticket.objects.values_list("state", flat=True))
    assert {"registered", "dispatched", "handling", "returned", "replied", "closed", "merged"} <= states
    demo.load(out)
    assert (Category.objects.count(), KnowledgeArticle.objects.count(), Ticket.objects.count(),
            ClassifierModel.objects.count()) == counts
    assert LedgerOutcome.objects.count() == 6 and not LedgerOutcome.objects.filter(lock_version__gt=1).exists()
