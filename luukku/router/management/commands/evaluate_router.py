"""`manage.py evaluate_router FILE.csv`: the active router's top-1/top-3 on labelled messages.

Never trains: the file is only read and scored. The figures are added to the active model's
training report (under "evaluations"), so a version keeps what it was measured at.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from luukku.catalogue.models import Service
from luukku.router.evaluation import Evaluation, evaluate
from luukku.router.messages_csv import MessageFileError, read_messages
from luukku.router.models import RouterModel
from luukku.router.services import NoActiveModel, active_version

WRONG_PAIRS_SHOWN = 10
WEAKEST_SHOWN = 8


class Command(BaseCommand):
    help = (
        "Score the active router model on a CSV of labelled messages (columns text, slug "
        "[, language]; several slugs separated by ';') and print top-1, top-3 and a confusion "
        "summary. Never trains on the file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", help="CSV file with columns text, slug and optionally language."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            messages = read_messages(
                path, known_slugs=Service.objects.values_list("slug", flat=True)
            )
            result = evaluate(messages)
            version = active_version()
        except (MessageFileError, NoActiveModel) as error:
            raise CommandError(str(error)) from error
        self._print(result, version)
        _remember(path, result, version)

    def _print(self, result: Evaluation, version: int | None) -> None:
        write = self.stdout.write
        write(f"top-1: {result.rate(result.top1):.1f} %")
        write(f"top-3: {result.rate(result.top3):.1f} %")
        write(
            f"messages: {result.total} ({result.several_needs} with several needs); "
            f"every need in the top 3: {result.rate(result.every_need_in_top3):.1f} %; "
            f"model v{version}"
        )
        write("")
        write("Most frequent wrong first suggestions (expected → suggested: messages):")
        if not result.wrong_pairs:
            write("  none")
        for (expected, suggested), count in result.wrong_pairs.most_common(WRONG_PAIRS_SHOWN):
            write(f"  {expected} → {suggested}: {count}")
        write("")
        write("Weakest services (top-1 on single-need messages; in the top 3 on all):")
        for recall in result.weakest(WEAKEST_SHOWN):
            top1 = _share(recall.top1, recall.single_need)
            top3 = _share(recall.in_top3, recall.needed)
            write(f"  {recall.slug}: top-1 {top1}, in top 3 {top3}")


def _share(hits: int, total: int) -> str:
    if not total:
        return "–"
    return f"{hits}/{total} ({100.0 * hits / total:.0f} %)"


def _remember(path: Path, result: Evaluation, version: int | None) -> None:
    """Add the figures to the evaluated version's report."""
    if version is None:
        return
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    with transaction.atomic():
        model = RouterModel.objects.select_for_update().filter(version=version).first()
        if model is None:
            return
        evaluations = list(model.report.get("evaluations", []))
        evaluations.append(
            {
                "file": path.name,
                "sha256": digest,
                "at": timezone.now().isoformat(timespec="seconds"),
                **result.as_report(),
            }
        )
        model.report = {**model.report, "evaluations": evaluations}
        model.save(update_fields=["report"])
