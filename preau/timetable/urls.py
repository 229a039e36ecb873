from django.urls import path

from preau.timetable import views

app_name = "timetable"
urlpatterns = [
    path("", views.mine, name="index"),
    path("people/<int:person_id>/", views.person_week, name="person"),
    path("classes/<int:class_id>/", views.class_week, name="class"),
    path("rooms/<int:room_id>/", views.room_week, name="room"),
    path("schools/<int:school_id>/", views.school_index, name="school"),
    path("schools/<int:school_id>/manage", views.manage, name="manage"),
    path("slots/<int:slot_id>/change", views.change, name="change"),
    path("feed", views.feed, name="feed"),
    path("ical/<str:token>.ics", views.ical_feed, name="ical"),
]
