from django.urls import path

from . import views

app_name = "lessons"

urlpatterns = [
    path("courses/<slug:course>/files/<path:path>", views.asset, name="asset"),
    path("courses/<slug:course>/<slug:lesson>/", views.lesson_detail, name="detail"),
]
