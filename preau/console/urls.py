from django.urls import path

from preau.console import views

app_name = "console"
school = "schools/<int:school_id>/"
urlpatterns = [
    path("", views.index, name="index"),
    path("audit/", views.audit, name="audit"),
    path("schools/new", views.school_new, name="school_new"),
    path(school, views.school, name="school"),
    path(school + "edit", views.school_edit, name="school_edit"),
    path(school + "people/", views.people, name="people"),
    path(school + "people/new", views.person_new, name="person_new"),
    path(school + "people/<int:person_id>/", views.person, name="person"),
    path(school + "people/<int:person_id>/edit", views.person_edit, name="person_edit"),
    path(school + "people/<int:person_id>/block", views.person_block, name="person_block"),
    path(school + "people/<int:person_id>/unblock", views.person_unblock, name="person_unblock"),
    path(
        school + "people/<int:person_id>/reset-password",
        views.person_reset_password,
        name="person_reset_password",
    ),
    path(
        school + "people/<int:person_id>/activation-code",
        views.person_activation_code,
        name="person_activation_code",
    ),
    path(school + "classes/", views.classes, name="classes"),
    path(school + "classes/<int:class_id>/", views.school_class, name="class"),
    path(school + "classes/<int:class_id>/letters", views.letters, name="letters"),
    path(school + "classes/<int:class_id>/letters.pdf", views.letters_pdf, name="letters_pdf"),
    path(school + "groups/", views.groups, name="groups"),
    path(school + "groups/<int:group_id>/", views.group, name="group"),
    path(school + "communication/", views.communication, name="communication"),
    path(school + "import", views.school_import, name="school_import"),
    path(school + "duplicates/", views.duplicates, name="duplicates"),
    path(
        school + "duplicates/<int:candidate_id>/resolve",
        views.duplicate_resolve,
        name="duplicate_resolve",
    ),
    path("apps/", views.services, name="services"),
    path("apps/new", views.service_new, name="service_new"),
    path("apps/<int:app_id>/", views.service, name="service"),
    path("school-years/", views.school_years, name="school_years"),
    path("imports/", views.imports, name="imports"),
    path("imports/aaf", views.import_aaf, name="import_aaf"),
    path("imports/templates/<str:profile>.csv", views.csv_template, name="csv_template"),
    path("imports/<int:job_id>/", views.import_detail, name="import"),
    path("imports/<int:job_id>/progress", views.import_progress, name="import_progress"),
    path("imports/<int:job_id>/run", views.import_run, name="import_run"),
    path("imports/<int:job_id>/report.csv", views.import_report, name="import_report"),
]
