from django.urls import path

from . import catalog_views, concept_views, progress_views, views

app_name = "lessons"

urlpatterns = [
    path("", catalog_views.catalog, name="catalog"),
    path("courses/<slug:course>/", catalog_views.course_detail, name="course"),
    path("concepts/<str:slug>/", concept_views.concept_detail, name="concept"),
    path("learning/", progress_views.my_learning, name="my_learning"),
    path("progress/sync/", progress_views.sync, name="sync"),
    path("courses/<slug:course>/files/<path:path>", views.asset, name="asset"),
    path("courses/<slug:course>/<slug:lesson>/", views.lesson_detail, name="detail"),
]
