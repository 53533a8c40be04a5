"""`manage.py train_router`: fit a new router version from the catalogue and routing examples."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from luukku.router import training


class Command(BaseCommand):
    help = (
        "Train the service router on the catalogue texts and every routing example, store it "
        "as the next version with its training report, and make it the active one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Train and print the report, but store nothing.",
        )
        parser.add_argument(
            "--no-cv",
            action="store_true",
            help="Skip the cross-validation (faster; the report has no accuracy figures).",
        )
        parser.add_argument(
            "--if-stale",
            action="store_true",
            help="Train only when no model is active or the catalogue or the examples changed "
            "after the active one was trained (for `make run`: a second run trains nothing).",
        )
        parser.add_argument(
            "--param",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="Override a training parameter, e.g. --param C=10 (repeatable). "
            f"Defaults: {training.DEFAULT_PARAMETERS}.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        parameters = _parse_parameters(options["param"])
        if options["if_stale"] and not training.is_stale():
            self.stdout.write("The active router model is up to date: nothing to train.")
            return
        try:
            result = training.train(parameters=parameters, cross_validation=not options["no_cv"])
        except training.TrainingError as error:
            raise CommandError(str(error)) from error
        report = json.dumps(result.report, indent=2, ensure_ascii=False)
        if options["dry_run"]:
            self.stdout.write(report)
            self.stdout.write("Dry run: nothing stored.")
            return
        model = training.store(result)
        self.stdout.write(report)
        self.stdout.write(self.style.SUCCESS(f"Router model v{model.version} trained and active."))


def _parse_parameters(pairs: list[str]) -> dict[str, Any]:
    parameters: dict[str, Any] = {}
    for pair in pairs:
        name, separator, value = pair.partition("=")
        if not separator or name not in training.DEFAULT_PARAMETERS:
            known = ", ".join(training.DEFAULT_PARAMETERS)
            raise CommandError(f"--param {pair!r}: use NAME=VALUE with NAME one of {known}.")
        try:
            parameters[name] = type(training.DEFAULT_PARAMETERS[name])(value)
        except ValueError as error:
            raise CommandError(f"--param {pair!r}: {error}") from error
    return parameters
