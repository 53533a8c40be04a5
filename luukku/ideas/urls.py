"""Staff ideas pages, mounted under /staff/ideas/."""

from django.urls import path

from . import views

app_name = "ideas"

urlpatterns = [
    path("", views.idea_list, name="list"),
    path("new/", views.submit, name="submit"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/comments/", views.comment, name="comment"),
    path("<int:pk>/support/", views.support, name="support"),
    path("<int:pk>/decision/", views.decide, name="decide"),
]
