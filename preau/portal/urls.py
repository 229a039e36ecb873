from django.urls import path

from preau.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile, name="profile"),
    path("profile/avatar/remove", views.remove_avatar, name="remove_avatar"),
    path("people/<int:person_id>/avatar", views.avatar, name="avatar"),
    path("school/switch", views.switch_school, name="switch_school"),
]
