"""One round of a 一件事 form — the applicant's page (一件事一次办) and the window's (窗口代录一件事)
post it the same way.

The files chosen in a round that is refused (a field left empty, a 必要 material missing, a file
of the wrong type beside good ones …) are kept for the next round instead of being chosen again
(暂存, :mod:`.services.staged`: checked, encrypted, in the session of who chose them, bound to the
bundle and the applicant); the page shows each as 已上传 with its size and 移除, and a file chosen
again replaces it. The round that goes through makes the 一件事 from the files kept, then deletes
the copies. Nothing of the 一件事 is written until then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from . import formrender, forms_schema
from .services import bundles as bundle_services
from .services import staged


@dataclass
class Round:
    token: str  # the form's upload token (its kept files)
    data: dict
    errors: dict
    raw: dict
    chosen: list[str] = field(default_factory=list)  # the 选办 items ticked
    done: object = None  # the BundleCase made, when the round went through


def token_of(request) -> str:
    """The form's upload token as posted, or a new one (a page just opened)."""
    posted = staged.valid_token(request.POST.get("upload_token")) if request.method == "POST" else ""
    return posted or staged.new_token()


def _scope(plan, applicant) -> str:
    return staged.bundle_scope(plan.bundle.pk, applicant.pk)


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


def submit(request, plan, applicant, apply: Callable[[dict, dict, list], object]) -> Round:
    """Read one POST of the form. When nothing is wrong, ``apply(form data, files by pool key, 选办
    ids)`` makes the 一件事 (raising ValidationError when it will not) from the files kept, which
    are then deleted; else :attr:`Round.errors` names every problem and the files stay kept."""
    token = token_of(request)
    where = _scope(plan, applicant)
    refused = _keep(request, token, where, plan)
    chosen = [x for x in request.POST.getlist("optional_items") if x.isdigit()]
    data, errors, raw = formrender.parse(plan.schema, request.POST, fixed=forms_schema.prefill(plan.schema, applicant))
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
            answers, unanswered = bundle_services.scenarios.parse_answers(plan.questions, request.POST)
            selected = plan.selected_ids(chosen, answers)
            for key, msgs in {**unanswered, **bundle_services.check(plan, data, files, selected,
                                                                    plan.waived(answers, selected),
                                                                    applicant=applicant)}.items():
                errors.setdefault(key, msgs)
    errors.update(refused)  # a refused file: why, rather than "请上传"
    return Round(token, data, errors, raw, chosen)


def page_context(request, token: str, plan, applicant, pool) -> dict:
    """The form's token and its kept files: each pool entry's ``staged`` (or None)."""
    kept = staged.pending(request.session, token, _scope(plan, applicant))
    for entry in pool:
        entry.staged = kept.get(entry.key)
    shown = [e for e in pool if e.staged and e.needed and not e.waived_reason and not e.licence_note]
    return {"upload_token": token, "kept": bool(shown)}
