"""The rater's pages under /r/<token>/: small views that guard and delegate."""

from __future__ import annotations

from urllib.parse import quote

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from study.protocol.models import Rater
from study.rating import services
from study.rating.images import served_png
from study.rating.selectors import (
    PageState,
    get_rater,
    page_state,
    presented_stimulus,
    state_payload,
)

TEMPLATES = {
    "consent": "rating/consent.html",
    "instructions": "rating/instructions.html",
    "calibration": "rating/rate.html",
    "rating": "rating/rate.html",
    "break": "rating/break.html",
    "done": "rating/done.html",
    "closed": "rating/closed.html",
}


def _rater_or_404(token: str) -> Rater:
    rater = get_rater(token=token)
    if rater is None:
        raise Http404("unknown invitation link")
    return rater


def completion_redirect(rater: Rater) -> str:
    """The study's completion URL with the rater's code filled in, or ''.

    The code is the one the done page shows: the completion code of an accepted rater,
    the study's ``[quality] screen_out_code`` for one rejected when they finished
    (``rating.services.finish_verdict``), so the platform tells the two apart.
    """
    template = rater.study.completion_redirect_url
    if not template or not rater.completion_code:
        return ""
    return template.replace("{code}", quote(rater.completion_code))


def _served(state: PageState) -> PageState:
    """Note when the item a page or JSON answer shows was first served (server timing)."""
    if state.item is not None:
        services.note_served(rater=state.rater, position=state.item.position)
    return state


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def rejected(
    request: HttpRequest, rater: Rater, error: services.SubmissionRejected
) -> HttpResponse:
    """A refused step of a rater, as JSON for the page's script or as the error page."""
    if wants_json(request):
        body = {"error": error.code, "message": error.message}
        return JsonResponse(body, status=error.status)
    context = {"rater": rater, "study": rater.study, "error": error}
    return render(request, "rating/error.html", context, status=error.status)


@never_cache
@ensure_csrf_cookie
@require_GET
def home(request: HttpRequest, token: str) -> HttpResponse:
    rater = _rater_or_404(token)
    services.remember_external_id(rater=rater, params=request.GET)
    state = _served(page_state(rater=rater))
    context = {"state": state, "rater": rater, "study": rater.study}
    if state.stage in {"calibration", "rating"}:
        context["payload"] = state_payload(state)
    if state.stage == "done":
        context["redirect_url"] = completion_redirect(rater)
    return render(request, TEMPLATES[state.stage], context)


@require_POST
def consent(request: HttpRequest, token: str) -> HttpResponse:
    rater = _rater_or_404(token)
    if request.POST.get("agree") != "yes":
        error = services.SubmissionRejected(400, "no_consent", "Please tick the box to agree.")
        return rejected(request, rater, error)
    try:
        services.give_consent(rater=rater)
    except services.SubmissionRejected as error:
        return rejected(request, rater, error)
    return redirect("rating:home", token=token)


@require_POST
def start(request: HttpRequest, token: str) -> HttpResponse:
    rater = _rater_or_404(token)
    try:
        services.start_rating(rater=rater)
    except services.SubmissionRejected as error:
        return rejected(request, rater, error)
    return redirect("rating:home", token=token)


@never_cache
@require_POST
def submit(request: HttpRequest, token: str) -> HttpResponse:
    try:
        result = services.submit(
            token=token,
            item=request.POST.get("item", ""),
            score=request.POST.get("score"),
            response_ms=request.POST.get("response_ms"),
        )
    except services.SubmissionRejected as error:
        if error.status == 404:
            raise Http404(error.message) from None
        return rejected(request, _rater_or_404(token), error)
    if not wants_json(request):
        return redirect("rating:home", token=token)
    payload = state_payload(_served(page_state(rater=result.rater, full=False)))
    payload["stored"] = result.stored
    return JsonResponse(payload)


@require_GET
def stimulus(request: HttpRequest, token: str, image: str) -> HttpResponse:
    """One presentation's image, padded to its photograph's length; no ETag, no date.

    404 for a name outside the rater's current items or of a study not open.
    """
    rater = _rater_or_404(token)
    found = presented_stimulus(rater=rater, image=image)
    if found is None:
        raise Http404("unknown image")
    response = HttpResponse(served_png(stimulus=found), content_type="image/png")
    # Private: the browser keeps it for the preloaded next item (the URL is this
    # presentation's own, so the cache maps no two presentations together); shared
    # caches may not keep it.
    response["Cache-Control"] = "private, max-age=86400"
    response["Content-Disposition"] = "inline"
    return response
