from __future__ import annotations

from django.urls import path

from study.rating import views

app_name = "rating"
urlpatterns = [
    path("<str:token>/", views.home, name="home"),
    path("<str:token>/consent", views.consent, name="consent"),
    path("<str:token>/start", views.start, name="start"),
    path("<str:token>/submit", views.submit, name="submit"),
    # One URL per presentation of an image (rater, position, side), never per stimulus.
    path("<str:token>/i/<str:image>", views.stimulus, name="stimulus"),
]
