"""Workbench page of 亮证核验: a clerk types or scans the code a holder shows and sees the
licence's face once (holder's name in full, ID number masked, status); every view is logged on
the licence (亮证记录) and in the audit chain (:func:`.showing.use_show`)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import render

from zhengwu.workbench.views import staff_required

from . import showing, verification


CHECK_LIMIT = (30, 60)  # codes a clerk may try per minute


@staff_required
def show_check(request):
    ctx: dict = {"code": showing.normalise_code(request.GET.get("code", "")), "errors": [], "show": None}
    status = 200
    if request.method == "POST":
        ctx["code"] = showing.normalise_code(request.POST.get("code", ""))
        try:
            # A clerk types a few codes a minute; guessing 40-bit codes would need millions.
            verification.throttle("show-check", f"user:{request.user.pk}", *CHECK_LIMIT)
            show = showing.use_show(request.user, request.POST.get("code", ""))
        except verification.RateLimited as exc:
            ctx["errors"], status = [str(exc)], 429
        except ValidationError as exc:
            ctx["errors"], status = [m for ms in exc.message_dict.values() for m in ms], 400
        except showing.ShowRefused as exc:
            ctx["errors"], status = [str(exc)], 409
        else:
            lic = show.licence
            status_code = showing.status_of(lic)
            ctx.update(show=show, lic=lic, face=showing.face_fields(lic), status_label=verification.status_label(status_code),
                       holder_id=(lic.holder_id_number.masked if lic.holder_id_number else lic.holder_uscc),
                       code="")
    return render(request, "licenses/public/show_check.html", ctx, status=status)
