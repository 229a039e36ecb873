from django.urls import path

from preau.documents import views

app_name = "documents"
urlpatterns = [
    path("", views.index, name="index"),
    path("shared/", views.shared, name="shared"),
    path("open/<str:kind>/", views.open_space, name="open_personal"),
    path("open/<str:kind>/<int:ref_id>/", views.open_space, name="open"),
    path("spaces/<int:space_id>/", views.space, name="space"),
    path("spaces/<int:space_id>/upload", views.upload, name="upload"),
    path("spaces/<int:space_id>/folders/new", views.new_folder, name="new_folder"),
    path("spaces/<int:space_id>/trash/", views.trash, name="trash"),
    path("spaces/<int:space_id>/trash/empty", views.empty_trash, name="empty_trash"),
    path("folders/<int:folder_id>/", views.folder, name="folder"),
    path("folders/<int:folder_id>/zip", views.folder_zip, name="folder_zip"),
    path("folders/<int:folder_id>/<str:verb>", views.folder_action, name="folder_action"),
    path("files/<int:document_id>/", views.document, name="document"),
    path("files/<int:document_id>/download", views.download, name="download"),
    path("files/<int:document_id>/inline", views.inline, name="inline"),
    path("files/<int:document_id>/thumbnail", views.thumbnail, name="thumbnail"),
    path("files/<int:document_id>/<str:verb>", views.document_action, name="document_action"),
    path("shares/<int:share_id>/revoke", views.revoke, name="revoke"),
    path("links/<int:link_id>/revoke", views.revoke_link, name="revoke_link"),
    path("public/<str:token>", views.public, name="public"),
    path("quotas/", views.quotas, name="quotas"),
    path("quotas/<int:school_id>/", views.school_quotas, name="school_quotas"),
]
