"""How well the active router model routes labelled messages it was not trained on.

Definitions (a message may name several needed services):
- top-1: the best suggestion is one of the message's services;
- top-3: at least one of the message's services is among the three best;
- every need in top 3 (reported beside them): all of its services (at most three) are.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from .messages_csv import LabelledMessage
from .services import suggest_or_raise


@dataclass
class ServiceRecall:
    slug: str
    single_need: int = 0
    top1: int = 0
    needed: int = 0
    in_top3: int = 0


@dataclass
class Evaluation:
    total: int = 0
    top1: int = 0
    top3: int = 0
    several_needs: int = 0
    every_need_in_top3: int = 0
    wrong_pairs: Counter[tuple[str, str]] = field(default_factory=Counter)
    recall: dict[str, ServiceRecall] = field(default_factory=dict)

    def rate(self, hits: int) -> float:
        return 100.0 * hits / self.total if self.total else 0.0

    def as_report(self) -> dict[str, float | int]:
        return {
            "n": self.total,
            "top1": round(self.top1 / self.total, 4) if self.total else 0.0,
            "top3": round(self.top3 / self.total, 4) if self.total else 0.0,
            "every_need_in_top3": round(self.every_need_in_top3 / self.total, 4)
            if self.total
            else 0.0,
            "several_needs": self.several_needs,
        }

    def weakest(self, count: int) -> list[ServiceRecall]:
        def key(recall: ServiceRecall) -> tuple[float, float, str]:
            top1 = recall.top1 / recall.single_need if recall.single_need else 1.0
            top3 = recall.in_top3 / recall.needed if recall.needed else 1.0
            return (top1, top3, recall.slug)

        return sorted(self.recall.values(), key=key)[:count]


def evaluate(messages: Sequence[LabelledMessage]) -> Evaluation:
    """Score every message with the active model (raises `NoActiveModel` when there is none)."""
    result = Evaluation()
    for message in messages:
        ranked = [
            suggestion.slug
            for suggestion in suggest_or_raise(message.text, language=message.language, limit=3)
        ]
        needs = set(message.slugs)
        result.total += 1
        best = ranked[0] if ranked else ""
        if best in needs:
            result.top1 += 1
        else:
            result.wrong_pairs[(message.slugs[0], best or "(nothing)")] += 1
        if needs & set(ranked):
            result.top3 += 1
        if len(needs) > 1:
            result.several_needs += 1
        if set(message.slugs[:3]) <= set(ranked):
            result.every_need_in_top3 += 1
        for slug in message.slugs:
            recall = result.recall.setdefault(slug, ServiceRecall(slug))
            recall.needed += 1
            recall.in_top3 += slug in ranked
            if len(needs) == 1:
                recall.single_need += 1
                recall.top1 += best == slug
    return result
