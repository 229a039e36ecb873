from django.urls import path

from preau.homework import views

app_name = "homework"
urlpatterns = [
    path("", views.todo, name="index"),
    path("courses/", views.my_courses, name="courses"),
    path("courses/<int:course_id>/", views.notebook, name="notebook"),
    path("courses/<int:course_id>/print", views.print_notebook, name="print"),
    path("lessons/<int:lesson_id>/edit", views.edit_lesson, name="edit_lesson"),
    path("lessons/<int:lesson_id>/copy", views.copy, name="copy"),
    path("<int:homework_id>/done", views.done, name="done"),
    path("<int:homework_id>/hand-in", views.hand_in, name="hand_in"),
    path("<int:homework_id>/hand-ins", views.hand_ins, name="hand_ins"),
    path("hand-ins/<int:hand_in_id>", views.hand_in_file, name="hand_in_file"),
    path("files/<int:attachment_id>", views.attachment, name="attachment"),
    path("schools/<int:school_id>/inspection", views.inspection, name="inspection"),
]
