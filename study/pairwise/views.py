"""The rater's pages of two-image studies under /c/<token>/: guard, then delegate.

Consent, start and breaks are the rating app's services (every kind shares them);
the images are served by the rating app's stimulus view (one URL per trial and side).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from study.pairwise import services
from study.pairwise.models import Trial
from study.pairwise.selectors import PageState, page_state, state_payload
from study.protocol import kinds
from study.protocol.models import Rater
from study.rating import services as rater_services
from study.rating.selectors import get_rater
from study.rating.views import completion_redirect, rejected, wants_json

TEMPLATES = {
    "consent": "pairwise/consent.html",
    "instructions": "pairwise/instructions.html",
    "compare": "pairwise/compare.html",
    "break": "rating/break.html",
    "done": "rating/done.html",
    "closed": "rating/closed.html",
}


def _rater_or_404(token: str) -> Rater:
    rater = get_rater(token=token)
    # A rater of an ACR study has no page here (their link is /r/...).
    if rater is None or kinds.of(rater.study).rater_prefix != "c":
        raise Http404("unknown invitation link")
    return rater


def _served(state: PageState, trial: Trial | None) -> PageState:
    """Note when the trial a page or JSON answer shows was first served (server timing)."""
    if state.trial is not None and trial is not None:
        services.note_served(trial=trial)
    return state


@never_cache
@ensure_csrf_cookie
@require_GET
def home(request: HttpRequest, token: str) -> HttpResponse:
    rater = _rater_or_404(token)
    rater_services.remember_external_id(rater=rater, params=request.GET)
    trial = services.current_trial(rater=rater) if rater.started_at else None
    state = _served(page_state(rater=rater, trial=trial), trial)
    context = {"state": state, "rater": rater, "study": rater.study}
    if state.stage == "compare":
        context["payload"] = state_payload(state)
    if state.stage == "done":
        context["redirect_url"] = completion_redirect(rater)
    return render(request, TEMPLATES[state.stage], context)


@require_POST
def consent(request: HttpRequest, token: str) -> HttpResponse:
    rater = _rater_or_404(token)
    if request.POST.get("agree") != "yes":
        error = rater_services.SubmissionRejected(
            400, "no_consent", "Please tick the box to agree."
        )
        return rejected(request, rater, error)
    try:
        rater_services.give_consent(rater=rater)
    except rater_services.SubmissionRejected as error:
        return rejected(request, rater, error)
    return redirect("pairwise:home", token=token)


@require_POST
def start(request: HttpRequest, token: str) -> HttpResponse:
    rater = _rater_or_404(token)
    try:
        rater_services.start_rating(rater=rater)
    except rater_services.SubmissionRejected as error:
        return rejected(request, rater, error)
    return redirect("pairwise:home", token=token)


@never_cache
@require_POST
def choose(request: HttpRequest, token: str) -> HttpResponse:
    rater = _rater_or_404(token)
    try:
        result = services.submit_choice(
            token=token,
            item=request.POST.get("item", ""),
            side=request.POST.get("side"),
            response_ms=request.POST.get("response_ms"),
        )
    except rater_services.SubmissionRejected as error:
        return rejected(request, rater, error)
    if not wants_json(request):
        return redirect("pairwise:home", token=token)
    trial = services.current_trial(rater=result.rater)
    payload = state_payload(_served(page_state(rater=result.rater, trial=trial, full=False), trial))
    payload["stored"] = result.stored
    return JsonResponse(payload)
