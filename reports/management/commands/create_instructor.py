"""Make an instructor: `.venv/bin/python manage.py create_instructor <username> --email <address>`
(or `make instructor NAME=<username> EMAIL=<address>`).

Instructors see every report but cannot change learner data or use the admin. The password
is asked for interactively, or read from GLASSBOX_INSTRUCTOR_PASSWORD for scripts; an
existing user is added to the group without other changes.
"""

import getpass
import os
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from core.commands import FriendlyCommand
from reports.permissions import INSTRUCTORS


class Command(FriendlyCommand):
    help = "Create an instructor (or add an existing user to the Instructors group)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--no-input", action="store_true", help="never prompt for a password")

    def handle(self, *args, **options) -> None:
        group = Group.objects.filter(name=INSTRUCTORS).first()
        if group is None:
            raise CommandError("The Instructors group is missing: run `manage.py migrate` first.")
        User = get_user_model()
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            password = os.environ.get("GLASSBOX_INSTRUCTOR_PASSWORD") or self._ask(options)
            user = User(username=options["username"], email=options["email"])
            try:
                User._meta.get_field("username").run_validators(user.username)
                validate_password(password, user)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            user.set_password(password)
            user.save()
            created = "Created"
        else:
            created = "Updated"
        user.groups.add(group)
        self.stdout.write(
            self.style.SUCCESS(f"{created} instructor '{user.username}': they can open /reports/.")
        )

    def _ask(self, options) -> str:
        if options["no_input"]:
            raise CommandError("Set GLASSBOX_INSTRUCTOR_PASSWORD or run without --no-input.")
        if not sys.stdin.isatty():
            raise CommandError(
                "No terminal to ask for a password: run this in a terminal, or set "
                "GLASSBOX_INSTRUCTOR_PASSWORD in the environment."
            )
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The passwords did not match.")
        return first
