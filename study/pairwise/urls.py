from __future__ import annotations

from django.urls import path

from study.pairwise import views

app_name = "pairwise"
urlpatterns = [
    path("<str:token>/", views.home, name="home"),
    path("<str:token>/consent", views.consent, name="consent"),
    path("<str:token>/start", views.start, name="start"),
    path("<str:token>/choose", views.choose, name="choose"),
]
