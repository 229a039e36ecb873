"""`preau`: one verb for operators, over Django's management commands.

preau demo              seed the demo territory (idempotent)
preau migrate           apply database migrations
preau <command> ...     any other management command
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["preau", *sys.argv[1:]])
