from django.urls import path

from preau.news import views

app_name = "news"
urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("new", views.write, name="new"),
    path("validation/", views.validation, name="validation"),
    path("settings", views.school_settings, name="settings"),
    path("flash", views.flash, name="flash"),
    path("files/<int:file_id>", views.news_file, name="file"),
    path("files/<int:file_id>/delete", views.delete_file, name="delete_file"),
    path("comments/<int:comment_id>/delete", views.delete_comment, name="delete_comment"),
    path("<int:news_id>/", views.detail, name="detail"),
    path("<int:news_id>/edit", views.write, name="edit"),
    path("<int:news_id>/comments", views.comment, name="comment"),
    path("<int:news_id>/dismiss", views.dismiss, name="dismiss"),
    path("<int:news_id>/<str:verb>", views.news_action, name="action"),
]
