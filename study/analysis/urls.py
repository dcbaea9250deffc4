from __future__ import annotations

from django.urls import path

from study.analysis import views

app_name = "analysis"
urlpatterns = [
    path("", views.index, name="index"),
    path("studies/new", views.study_create, name="create"),
    path("studies/<int:pk>/", views.study_detail, name="study"),
    path("studies/<int:pk>/live.json", views.study_live, name="live"),
    path("studies/<int:pk>/figure5.png", views.figure5_png, name="figure5"),
    path("studies/<int:pk>/export.zip", views.export_download, name="export"),
    path("studies/<int:pk>/open", views.study_open, name="open"),
    path("studies/<int:pk>/close", views.study_close, name="close"),
    path("studies/<int:pk>/places", views.study_places, name="places"),
    path("studies/<int:pk>/links.csv", views.links_csv, name="links"),
]
