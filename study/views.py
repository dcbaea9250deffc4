from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from study.health import check_broker, check_database


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    report = {"database": check_database(), "broker": check_broker()}
    healthy = report["database"] == "ok" and report["broker"] in {"ok", "in-process"}
    return JsonResponse(report, status=200 if healthy else 503)


@never_cache
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """``/``: staff go to the dashboard; anyone else sees a neutral page.

    The neutral page says nothing about the studies: raters arrive through their own
    links, and a visitor without one learns only that a link is needed.
    """
    user = request.user
    if user.is_authenticated and user.is_active and user.is_staff:
        return redirect("analysis:index")
    return render(request, "home.html")
