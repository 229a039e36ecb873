from django.urls import path

from preau.timeline import views

app_name = "timeline"
urlpatterns = [
    path("", views.index, name="index"),
    path("latest", views.latest, name="latest"),
    path("unread", views.unread_badge, name="unread"),
    path("read-all", views.read_all, name="read_all"),
    path("preferences", views.preferences, name="preferences"),
    path("bounces", views.bounces, name="bounces"),
    path("<int:notification_id>/open", views.open_item, name="open"),
    path("<int:notification_id>/read", views.read, name="read"),
]
