from __future__ import annotations

from django.urls import path

from study.rating import views

app_name = "rating"
urlpatterns = [
    path("<str:token>/", views.home, name="home"),
    path("<str:token>/consent", views.consent, name="consent"),
    path("<str:token>/start", views.start, name="start"),
    path("<str:token>/submit", views.submit, name="submit"),
    path("<str:token>/s/<str:public_id>", views.stimulus, name="stimulus"),
]
