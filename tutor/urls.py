from django.urls import path

from . import views

app_name = "tutor"

urlpatterns = [
    path("courses/<slug:course>/<slug:lesson>/tutor/", views.ask, name="ask"),
]
