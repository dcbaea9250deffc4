from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic.base import RedirectView
from django.views.static import serve

from study import views

urlpatterns = [
    path("", views.home, name="home"),
    # Pages outside base.html (the admin's) make browsers ask for /favicon.ico.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("r/", include("study.rating.urls")),
    path("c/", include("study.pairwise.urls")),
    path("dashboard/", include("study.analysis.urls")),
]

if settings.SERVE_MEDIA:
    # The embedded setup serves stored images to staff. Raters never see these
    # paths (they name method and image): they get stimuli through opaque ids.
    urlpatterns += [
        re_path(
            r"^media/(?P<path>.*)$",
            staff_member_required(serve),
            {"document_root": settings.MEDIA_ROOT},
        )
    ]
