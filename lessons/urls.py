from django.urls import path

from . import progress_views, views

app_name = "lessons"

urlpatterns = [
    path("learning/", progress_views.my_learning, name="my_learning"),
    path("progress/sync/", progress_views.sync, name="sync"),
    path("courses/<slug:course>/files/<path:path>", views.asset, name="asset"),
    path("courses/<slug:course>/<slug:lesson>/", views.lesson_detail, name="detail"),
]
