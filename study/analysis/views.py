"""The researcher's dashboard under /dashboard/: staff only, small views that delegate.

Anonymous visitors are sent to the login page; a signed-in user who is not staff
gets 403 (sending them to a login page they already passed would loop). Every
state change is a POST through Django's CSRF protection.

What ``create_study``, ``invite_raters`` and ``open_study``/``close_study`` do on the
command line is here too, through the same services: a study from an uploaded TOML
(every problem of the definition listed, nothing created), places added, and the
links of the places nobody has opened as CSV.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, Protocol, cast

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from study.analysis import dashboard, figures, kinds, selectors
from study.analysis.exports import safe_name
from study.analysis.forms import PlacesForm, StudyUploadForm
from study.analysis.kinds import KindError
from study.protocol import selectors as protocol_selectors
from study.protocol import services as protocol_services
from study.protocol.config import ConfigError
from study.protocol.models import Study
from study.protocol.plans import PlanError

P = ParamSpec("P")


def staff_required(
    view: Callable[Concatenate[HttpRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    @wraps(view)
    def guarded(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied("the dashboard is for staff accounts")
        return view(request, *args, **kwargs)

    # wraps() keeps the view's signature, whose request parameter has a name.
    return cast("Callable[Concatenate[HttpRequest, P], HttpResponse]", guarded)


@never_cache
@staff_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return _index(request, StudyUploadForm())


def _index(request: HttpRequest, form: StudyUploadForm, status: int = 200) -> HttpResponse:
    context = {"studies": selectors.studies_overview(), "form": form}
    return render(request, "dashboard/index.html", context, status=status)


@never_cache
@staff_required
@require_POST
def study_create(request: HttpRequest) -> HttpResponse:
    """A study (draft) from an uploaded TOML, as ``create_study NAME --config FILE``."""
    form = StudyUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _index(request, form, status=400)
    config, text = form.cleaned_data["config"]
    try:
        study, design = protocol_services.create_study(
            name=form.cleaned_data["name"],
            config=config,
            source=text,
            allow_missing_methods=form.cleaned_data["allow_missing_methods"],
        )
    except ConfigError as exc:
        form.add_error(None, list(exc.errors))
        return _index(request, form, status=400)
    except PlanError as exc:
        form.add_error(None, f"no valid plan: {exc}")
        return _index(request, form, status=400)
    for note in design.notes:
        messages.warning(request, note)
    counts = protocol_services.study_counts(study=study)
    messages.success(
        request,
        f"study {study.name!r} created (draft, seed {study.seed}): {counts['rating']} rating "
        f"stimuli ({counts['retest']} retested), {counts['calibration']} calibration "
        f"stimuli, {counts['raters']} places",
    )
    return redirect("analysis:study", pk=study.pk)


@never_cache
@staff_required
@require_GET
def study_detail(request: HttpRequest, pk: int) -> HttpResponse:
    study = get_object_or_404(Study, pk=pk)
    return kinds.of(study).study_page(request, study)


@never_cache
@staff_required
@require_GET
def study_live(request: HttpRequest, pk: int) -> HttpResponse:
    """What the study page refreshes (progress and the kind's tables), as JSON."""
    study = get_object_or_404(Study, pk=pk)
    return kinds.of(study).study_live(request, study)


@never_cache
@staff_required
@require_GET
def figure5_png(request: HttpRequest, pk: int) -> HttpResponse:
    study = get_object_or_404(Study, pk=pk)
    summary = dashboard.live_summary(study=study)
    if not summary["ratings"]:
        raise Http404("no ratings yet")
    key = f"{summary['version']}:figure5.png"
    png = cache.get(key)
    if png is None:
        # Drawing takes about a second; every open dashboard asks after each new rating.
        figure = figures.figure5(
            summary["mos"],
            datasets=figures.panel_order(summary["datasets"]),
            methods=summary["methods"],
            labels=summary["labels"],
        )
        png = figures.render(figure, fmt="png", dpi=100)
        cache.set(key, png, timeout=dashboard.LIVE_CACHE_SECONDS)
    return HttpResponse(png, content_type="image/png")


@never_cache
@staff_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The full export as a zip, built in memory (``?exclude_screened=1`` as the command)."""
    study = get_object_or_404(Study, pk=pk)
    options = {
        "exclude_screened": request.GET.get("exclude_screened") == "1",
        "exclude_simulated": request.GET.get("exclude_simulated") == "1",
    }
    try:
        content = kinds.of(study).export_zip(study, options)
    except KindError as exc:
        messages.error(request, str(exc))
        return redirect("analysis:study", pk=study.pk)
    response = HttpResponse(content, content_type="application/zip")
    filename = f"{safe_name(study.name)}-export.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_required
@require_POST
def study_open(request: HttpRequest, pk: int) -> HttpResponse:
    return _change_state(request, pk, protocol_services.open_study, "open")


@staff_required
@require_POST
def study_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _change_state(request, pk, protocol_services.close_study, "closed")


class _StateChange(Protocol):
    def __call__(self, *, study: Study) -> object: ...


def _change_state(request: HttpRequest, pk: int, change: _StateChange, word: str) -> HttpResponse:
    study = get_object_or_404(Study, pk=pk)
    try:
        change(study=study)
    except protocol_services.ProtocolError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"study {study.name!r} is {word}")
    return redirect("analysis:study", pk=study.pk)


@staff_required
@require_POST
def study_places(request: HttpRequest, pk: int) -> HttpResponse:
    """Add places (raters with a plan and a link), as ``invite_raters STUDY --count N``."""
    study = get_object_or_404(Study, pk=pk)
    form = PlacesForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("count", []):
            messages.error(request, f"places: {error}")
        return redirect("analysis:study", pk=study.pk)
    try:
        added = protocol_services.add_raters(study=study, count=form.cleaned_data["count"])
    except (protocol_services.ProtocolError, PlanError) as exc:
        messages.error(request, str(exc))
    else:
        unopened = len(protocol_selectors.unopened_raters(study=study))
        messages.success(
            request,
            f"{len(added)} place(s) added to {study.name!r}; {unopened} link(s) not opened yet",
        )
    return redirect("analysis:study", pk=study.pk)


@never_cache
@staff_required
@require_GET
def links_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """CSV ``rater,url`` of the places nobody has opened (``invite_raters STUDY --out``)."""
    study = get_object_or_404(Study, pk=pk)
    out = io.StringIO()
    protocol_services.write_rater_links(protocol_selectors.unopened_raters(study=study), out)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    filename = f"{safe_name(study.name)}-links.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
