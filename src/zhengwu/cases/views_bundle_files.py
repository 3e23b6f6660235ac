"""One round of a 一件事 form — the applicant's page (一件事一次办) and the window's (窗口代录一件事)
draw and post it the same way.

What the form shows follows the 情形 answers, the 选办 ticks and who applies
(:meth:`.services.bundles.BundlePlan.choose`): only the fields and materials of the items offered,
each field marked required exactly when an item applied for requires it (the rule the submit
applies), and an item whose 服务对象 excludes the applicant marked as not theirs, with what to do.

The files chosen in a round that is refused (a field left empty, a 必要 material missing, a file
of the wrong type beside good ones …) are kept for the next round instead of being chosen again
(暂存, :mod:`.services.staged`: checked, encrypted, in the session of who chose them, bound to the
bundle and the applicant); the page shows each as 已上传 with its size and 移除, and a file chosen
again replaces it. 重新选择 (the questions answered again) posts the form too: the fields still shown
keep what was typed and the files of the materials still asked for stay kept; the others' copies
are deleted. The round that goes through makes the 一件事 from the files kept, then deletes the
copies. Nothing of the 一件事 is written until then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from zhengwu.accounts.services_identity import data_source_label
from zhengwu.licenses import use as licence_use

from . import formrender, forms_schema
from .services import bundles as bundle_services
from .services import staged

RECHOOSE = "rechoose"


@dataclass
class Round:
    token: str  # the form's upload token (its kept files)
    data: dict
    errors: dict
    raw: dict
    chosen: list[str] = field(default_factory=list)  # the 选办 items ticked
    done: object = None  # the BundleCase made, when the round went through
    rechosen: bool = False  # 重新选择: the page drawn again for new answers, nothing refused


def token_of(request) -> str:
    """The form's upload token as posted, or a new one (a page just opened)."""
    posted = staged.valid_token(request.POST.get("upload_token")) if request.method == "POST" else ""
    return posted or staged.new_token()


def _scope(plan, applicant) -> str:
    return staged.bundle_scope(plan.bundle.pk, applicant.pk)


def _ticked(source) -> list[str]:
    return [x for x in source.getlist("optional_items") if x.isdigit()] if hasattr(source, "getlist") else []


# -- what the form shows -------------------------------------------------------------------------
def bundle_context(plan, answers_source, *, chosen=None, errors=None, applicant=None) -> dict:
    """What the 一件事 form shows for the 情形 answers in ``answers_source`` (GET or POST): the
    questions with the chosen options, which items apply (or are not the applicant's, and why),
    and each material's state (asked for, or waived and why)."""
    errors = errors or {}
    chosen = set(chosen or [])
    choice = plan.choose(answers_source, chosen, applicant)
    for m in plan.members:
        m.decided = m.item.pk in choice.decided
        m.selected = m.item.pk in choice.selected
        m.not_for = choice.not_for.get(m.item.pk, "")
    pool = []
    for entry in plan.pool:
        entry.errors = errors.get(entry.key, [])
        entry.waived_reason = choice.waived.get(bundle_services.scenarios.key(entry.name), "")
        entry.needed = entry.necessity_for(choice.offered) is not None
        pool.append(entry)
    _bundle_licences(pool, choice.selected, applicant)
    return {"questions": [(q, choice.answers.get(q.pk)) for q in plan.questions], "unanswered": bool(choice.unanswered),
            "answer_errors": [m for k, msgs in errors.items() if k.startswith("q_") for m in msgs],
            "answers": choice.answers, "answered": choice.signature, "pool": pool, "chosen": chosen,
            "choice": choice, "not_for": [m for m in plan.members if m.not_for]}


def asks_file(entry) -> bool:
    """The material shows an upload box (asked for, not waived, no licence standing in for it)."""
    return entry.needed and not entry.waived_reason and not entry.licence_note


def _bundle_licences(pool, selected: set[int], applicant) -> None:
    """免提交 in a 一件事 form (:func:`zhengwu.licenses.use.pool_offers`): ``entry.licence_note``
    instead of an upload box, or ``entry.licence_reason`` above it."""
    offers = licence_use.pool_offers(pool, selected, applicant) if applicant is not None else {}
    for entry in pool:
        offer = offers.get(entry.key)
        entry.licence_note = (f"已调用电子证照：{offer.licence.type.name}（{licence_use.validity_text(offer.licence)}）"
                              if offer is not None and offer.usable else "")
        entry.licence_reason = offer.reason if offer is not None else ""


def form_context(request, plan, applicant, *, token="", data=None, errors=None, raw=None, chosen=None) -> dict:
    """Everything the shared template ``_bundle_form.html`` draws: the questions, the items, the
    fields (required as the submit requires them), the materials with their kept files."""
    errors = errors or {}
    source = request.POST if request.method == "POST" else request.GET
    ctx = bundle_context(plan, source, chosen=chosen, errors=errors, applicant=applicant)
    form = plan.form(ctx["choice"])
    prefilled = forms_schema.prefill(form.schema, applicant)
    known = set(plan.schema.get("properties") or {}) | {e.key for e in plan.pool}
    note = data_source_label(applicant)
    return {
        **ctx, "plan": plan, "bundle": plan.bundle, "applicant": applicant,
        **page_context(request, token or token_of(request), plan, applicant, ctx["pool"]),
        "fields": formrender.fields(form.schema, data if data is not None else prefilled, errors, raw,
                                    readonly_keys=set(prefilled), required_keys=form.required,
                                    optional_keys=form.optional, readonly_note=note),
        "identity_source": note,
        "item_errors": errors.get("items", []),
        "form_errors": [m for k, msgs in errors.items()
                        if k not in known and k != "items" and not k.startswith("q_") for m in msgs],
    }


# -- one round -----------------------------------------------------------------------------------
def _keep(request, token: str, where: str, plan) -> dict[str, list[str]]:
    """移除 ticked files dropped, every file chosen checked and kept; the refused ones' reasons by key."""
    for key in request.POST.getlist("unstage"):
        staged.drop(request.session, token, where, key)
    refused: dict[str, list[str]] = {}
    for entry in plan.pool:
        upload = request.FILES.get(entry.key)
        if upload is None:
            continue
        try:
            staged.stage(request.session, token, where, entry.key, upload, label=entry.name)
        except ValidationError as exc:
            refused[entry.key] = exc.messages
    return refused


def _rechoosing(request, choice) -> bool:
    """重新选择 pressed — or the answers posted are not those the page was drawn for (Enter pressed
    after changing one): the page is drawn again for them, nothing is submitted."""
    if choice.unanswered:
        return False
    drawn_for = request.POST.get("answered")
    return request.POST.get("action") == RECHOOSE or (drawn_for is not None and drawn_for != choice.signature)


def _drop_unasked(request, token: str, where: str, plan, applicant, chosen) -> None:
    """After 重新选择: the kept files of the materials no longer asked for are deleted."""
    pool = bundle_context(plan, request.POST, chosen=chosen, applicant=applicant)["pool"]
    for entry in pool:
        if not asks_file(entry):
            staged.drop(request.session, token, where, entry.key)


def submit(request, plan, applicant, apply: Callable[[dict, dict, list], object]) -> Round:
    """Read one POST of the form. When nothing is wrong, ``apply(form data, files by pool key, 选办
    ids)`` makes the 一件事 (raising ValidationError when it will not) from the files kept, which
    are then deleted; else :attr:`Round.errors` names every problem and the files stay kept.
    重新选择 (:attr:`Round.rechosen`) keeps what still applies to the new answers and refuses nothing."""
    token = token_of(request)
    where = _scope(plan, applicant)
    refused = _keep(request, token, where, plan)
    chosen = _ticked(request.POST)
    choice = plan.choose(request.POST, chosen, applicant)
    form = plan.form(choice)  # only the fields shown for these answers are read
    data, errors, raw = formrender.parse(form.schema, request.POST, fixed=forms_schema.prefill(form.schema, applicant))
    if _rechoosing(request, choice):
        _drop_unasked(request, token, where, plan, applicant, chosen)
        return Round(token, data, refused, raw, chosen, rechosen=True)
    with staged.opened(request.session, token, where) as files:
        if not errors and not refused:
            try:
                done = apply(data, files, chosen)
            except ValidationError as exc:
                errors = exc.message_dict if hasattr(exc, "error_dict") else {"items": exc.messages}
            else:
                staged.forget(request.session, token)  # in the cases now
                return Round(token, data, {}, raw, chosen, done=done)
        else:
            for key, msgs in bundle_services.check(plan, data, files, choice, applicant=applicant).items():
                errors.setdefault(key, msgs)
    errors.update(refused)  # a refused file: why, rather than "请上传"
    return Round(token, data, errors, raw, chosen)


def page_context(request, token: str, plan, applicant, pool) -> dict:
    """The form's token and its kept files: each pool entry's ``staged`` (or None)."""
    kept = staged.pending(request.session, token, _scope(plan, applicant))
    for entry in pool:
        entry.staged = kept.get(entry.key)
    shown = [e for e in pool if e.staged and asks_file(e)]
    return {"upload_token": token, "kept": bool(shown)}
