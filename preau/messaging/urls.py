from django.urls import path

from preau.messaging import views

app_name = "messaging"
urlpatterns = [
    path("", views.index, name="index"),
    path("new", views.compose, name="compose"),
    path("new/autosave", views.autosave, name="autosave"),
    path("drafts/<int:message_id>/discard", views.discard_draft, name="discard_draft"),
    path("unread", views.unread_badge, name="unread"),
    path("attachments/<int:attachment_id>", views.attachment, name="attachment"),
    path("folders/new", views.new_folder, name="new_folder"),
    path("box/<str:name>/", views.box, name="box"),
    path("<int:copy_id>/", views.read, name="read"),
    path("<int:copy_id>/<str:verb>", views.copy_action, name="copy_action"),
    path("sent/<int:message_id>/", views.sent_message, name="sent_message"),
    path("received/<int:message_id>/", views.received, name="received"),
    path("sent/<int:message_id>/recall", views.recall, name="recall"),
]
