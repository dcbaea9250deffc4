from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from study.health import check_broker, check_database


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    report = {"database": check_database(), "broker": check_broker()}
    healthy = report["database"] == "ok" and report["broker"] in {"ok", "in-process"}
    return JsonResponse(report, status=200 if healthy else 503)
