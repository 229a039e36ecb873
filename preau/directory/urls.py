from django.urls import path

from preau.directory import views

app_name = "directory"
urlpatterns = [
    path("people/search", views.people_search, name="people_search"),
]
