from celery import shared_task

from preau.homework import actions


@shared_task
def notify_published_homework_task() -> int:
    return actions.notify_published_homework()
