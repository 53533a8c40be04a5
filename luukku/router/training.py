"""Training the router: gather examples, fit, cross-validate, sign and store a new version.

The training set is the catalogue's own texts (names, summaries, descriptions split into
sentences, keywords; fi/sv/en) plus every `RoutingExample` (demo handled cases, handled cases,
triage decisions). `message_weight` weighs customers' messages against catalogue snippets and
`lemma_weight` the lemma view against the character n-grams; both were chosen by the
cross-validation below (docs/decisions/0005-router.md).

Cross-validation holds out customer messages only: the catalogue is always in the training part,
and a fold's messages are never seen by the model that scores them. With no messages yet, the
catalogue's sentences are cross-validated instead (a weak yardstick; the report says which).
"""

from __future__ import annotations

import hashlib
import hmac
import pickle
import re
import time
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import Pipeline

from luukku.catalogue.models import Service, ServiceText

from .features import Document, build_features
from .models import RouterModel, RoutingExample

ALGORITHM = "tfidf(char_wb 3-5 + simplemma lemmas) + multinomial logistic regression"

DEFAULT_PARAMETERS: dict[str, Any] = {
    "C": 20.0,
    "message_weight": 1.0,
    "char_min_n": 3,
    "char_max_n": 5,
    "char_weight": 1.0,
    "lemma_weight": 0.6,
    "min_df": 1,
}
CV_FOLDS = 5
# Below this probability for the best service, or with the second this close behind it, a person
# decides (settings ROUTER_TRIAGE_THRESHOLD and ROUTER_TRIAGE_MARGIN override them). In 5-fold
# cross-validation on the demo's handled messages, 0.30 / 0.10 routed 63 % of messages without a
# person, 94.6 % of them right; 0.45 routed 45 %, 96.8 % right (docs/decisions/0005-router.md).
DEFAULT_TRIAGE_THRESHOLD = 0.30
DEFAULT_TRIAGE_MARGIN = 0.10

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_CATALOGUE_KINDS = (
    ServiceText.Kind.NAME,
    ServiceText.Kind.ALTERNATIVE_NAME,
    ServiceText.Kind.SUMMARY,
    ServiceText.Kind.DESCRIPTION,
    ServiceText.Kind.KEYWORD,
)


class TrainingError(Exception):
    """The router cannot be trained from what the database holds."""


class ModelRefused(Exception):
    """A stored model's bytes do not match their signature: never unpickled."""


@dataclass
class Example:
    text: str
    language: str
    slug: str
    source: str

    @property
    def document(self) -> Document:
        return (self.text, self.language)


@dataclass
class TrainingResult:
    pipeline: Pipeline
    parameters: dict[str, Any]
    report: dict[str, Any] = field(default_factory=dict)


def catalogue_examples(services: Iterable[Service] | None = None) -> list[Example]:
    """One example per name, keyword and sentence of every service's texts, in each language."""
    queryset = ServiceText.objects.filter(kind__in=_CATALOGUE_KINDS)
    if services is not None:
        queryset = queryset.filter(service__in=list(services))
    rows = queryset.order_by("service__slug", "language", "kind", "id").values_list(
        "service__slug", "language", "kind", "value"
    )
    examples: list[Example] = []
    for slug, language, kind, value in rows:
        pieces = [value] if kind == ServiceText.Kind.KEYWORD else _sentences(value)
        for piece in pieces:
            piece = piece.strip()
            if piece:
                examples.append(Example(piece, language, slug, RoutingExample.Source.CATALOGUE))
    return examples


def _sentences(value: str) -> list[str]:
    return [sentence for sentence in _SENTENCE_END.split(value) if sentence.strip()]


def message_examples() -> list[Example]:
    """Every stored routing example (demo, handled cases, triage decisions)."""
    rows = RoutingExample.objects.order_by("id").values_list(
        "text", "language", "service__slug", "source"
    )
    return [Example(text, language, slug, source) for text, language, slug, source in rows]


def build_pipeline(parameters: dict[str, Any]) -> Pipeline:
    feature_keys = ("char_min_n", "char_max_n", "char_weight", "lemma_weight", "min_df")
    features = build_features(**{key: parameters[key] for key in feature_keys})
    classifier = LogisticRegression(C=float(parameters["C"]), max_iter=2000)
    return Pipeline([("features", features), ("classifier", classifier)])


def fit(examples: Sequence[Example], parameters: dict[str, Any]) -> Pipeline:
    if len({example.slug for example in examples}) < 2:
        raise TrainingError("The router needs examples of at least two services to learn from.")
    pipeline = build_pipeline(parameters)
    weights = np.array(
        [
            1.0
            if example.source == RoutingExample.Source.CATALOGUE
            else float(parameters["message_weight"])
            for example in examples
        ]
    )
    pipeline.fit(
        [example.document for example in examples],
        [example.slug for example in examples],
        classifier__sample_weight=weights,
    )
    return pipeline


@dataclass
class Hits:
    """How a model ranked held-out examples, and how sure it was."""

    total: int = 0
    top1: int = 0
    top3: int = 0
    confident: int = 0
    confident_top1: int = 0

    def add(self, other: Hits) -> None:
        for name in ("total", "top1", "top3", "confident", "confident_top1"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def score(pipeline: Pipeline, examples: Sequence[Example]) -> Hits:
    """Top-1/top-3 hits, and how many the router would route without triage (and rightly)."""
    hits = Hits()
    if not examples:
        return hits
    threshold, margin = triage_limits()
    probabilities = pipeline.predict_proba([example.document for example in examples])
    classes = list(pipeline.classes_)
    ranked = np.argsort(-probabilities, axis=1)[:, :3]
    for row, scores, example in zip(ranked, probabilities, examples, strict=True):
        slugs = [classes[index] for index in row]
        hits.total += 1
        hits.top1 += slugs[0] == example.slug
        hits.top3 += example.slug in slugs
        best = float(scores[row[0]])
        second = float(scores[row[1]]) if len(row) > 1 else 0.0
        if best >= threshold and best - second >= margin:
            hits.confident += 1
            hits.confident_top1 += slugs[0] == example.slug
    return hits


def triage_limits() -> tuple[float, float]:
    """(threshold, margin) of `services.needs_triage`, from settings."""
    return (
        float(getattr(settings, "ROUTER_TRIAGE_THRESHOLD", DEFAULT_TRIAGE_THRESHOLD)),
        float(getattr(settings, "ROUTER_TRIAGE_MARGIN", DEFAULT_TRIAGE_MARGIN)),
    )


def cross_validate(
    catalogue: Sequence[Example], messages: Sequence[Example], parameters: dict[str, Any]
) -> dict[str, Any]:
    """Top-1/top-3 on held-out customer messages, the catalogue always in training."""
    held_out_pool, fixed, basis = (
        (list(messages), list(catalogue), "messages")
        if len(messages) >= CV_FOLDS
        else (list(catalogue), [], "catalogue sentences")
    )
    if len(held_out_pool) < CV_FOLDS:
        return {"basis": basis, "folds": 0, "n": 0}
    labels = [example.slug for example in held_out_pool]
    smallest = min(Counter(labels).values())
    splitter: KFold | StratifiedKFold = (
        StratifiedKFold(n_splits=CV_FOLDS, shuffle=True, random_state=0)
        if smallest >= CV_FOLDS
        else KFold(n_splits=CV_FOLDS, shuffle=True, random_state=0)
    )
    hits = Hits()
    for train_index, test_index in splitter.split(held_out_pool, labels):
        train = fixed + [held_out_pool[i] for i in train_index]
        test = [held_out_pool[i] for i in test_index]
        hits.add(score(fit(train, parameters), test))
    return {
        "basis": basis,
        "folds": CV_FOLDS,
        "n": hits.total,
        "top1": round(hits.top1 / hits.total, 4),
        "top3": round(hits.top3 / hits.total, 4),
        # Routed without a person (confident enough), and how often that routing was right.
        "routed_without_triage": round(hits.confident / hits.total, 4),
        "top1_when_routed_without_triage": round(hits.confident_top1 / hits.confident, 4)
        if hits.confident
        else None,
    }


def train(
    *, parameters: dict[str, Any] | None = None, cross_validation: bool = True
) -> TrainingResult:
    """Fit the router on the catalogue and all routing examples, with its report."""
    started = time.monotonic()
    chosen = {**DEFAULT_PARAMETERS, **(parameters or {})}
    catalogue = catalogue_examples()
    known = {example.slug for example in catalogue} | set(
        Service.objects.values_list("slug", flat=True)
    )
    messages = [example for example in message_examples() if example.slug in known]
    examples = catalogue + messages
    pipeline = fit(examples, chosen)
    report: dict[str, Any] = {
        "examples": {
            "total": len(examples),
            "by_source": dict(sorted(Counter(example.source for example in examples).items())),
            "by_service": dict(sorted(Counter(example.slug for example in examples).items())),
            "by_language": dict(sorted(Counter(example.language for example in examples).items())),
        },
        "services": len(pipeline.classes_),
        "features": {
            name: len(transformer.vocabulary_)
            for name, transformer in pipeline.named_steps["features"].transformer_list
        },
    }
    if cross_validation:
        report["cross_validation"] = cross_validate(catalogue, messages, chosen)
    report["duration_seconds"] = round(time.monotonic() - started, 2)
    return TrainingResult(pipeline=pipeline, parameters=chosen, report=report)


def is_stale() -> bool:
    """Whether the active model predates the catalogue's or the examples' latest change, or was
    trained with other parameters than today's defaults."""
    active = RouterModel.objects.filter(is_active=True).only("created_at", "parameters").first()
    if active is None or active.parameters != DEFAULT_PARAMETERS:
        return True
    changes = [
        Service.objects.aggregate(at=Max("updated_at"))["at"],
        RoutingExample.objects.aggregate(at=Max("created_at"))["at"],
    ]
    return any(changed is not None and changed > active.created_at for changed in changes)


# --- storing and loading -------------------------------------------------------------------


def _signing_key() -> bytes:
    """A key of its own for model blobs, derived from SECRET_KEY (never SECRET_KEY itself)."""
    return hashlib.sha256(b"luukku.router.model-signature:" + settings.SECRET_KEY.encode()).digest()


def sign(blob: bytes) -> str:
    return hmac.new(_signing_key(), blob, hashlib.sha256).hexdigest()


def dump_pipeline(pipeline: Pipeline) -> tuple[bytes, str]:
    blob = zlib.compress(pickle.dumps(pipeline, protocol=pickle.HIGHEST_PROTOCOL), 6)
    return blob, sign(blob)


def load_pipeline(blob: bytes, signature: str) -> Pipeline:
    """Unpickle a stored model only when its signature is ours; otherwise `ModelRefused`."""
    if not hmac.compare_digest(sign(bytes(blob)), signature):
        raise ModelRefused(
            "The stored router model's signature does not match: it was changed outside Luukku "
            "or signed with another SECRET_KEY. Retrain with `manage.py train_router`."
        )
    pipeline = pickle.loads(zlib.decompress(bytes(blob)))  # noqa: S301 - signature checked above
    if not isinstance(pipeline, Pipeline):
        raise ModelRefused("The stored router model is not a scikit-learn pipeline.")
    return pipeline


@transaction.atomic
def store(result: TrainingResult, *, activate: bool = True) -> RouterModel:
    """Save a trained result as the next version, and make it the active one."""
    blob, signature = dump_pipeline(result.pipeline)
    # Two trainings finishing at once: the unique version makes the later one fail, not overwrite.
    latest = RouterModel.objects.aggregate(latest=Max("version"))["latest"]
    model = RouterModel.objects.create(
        version=(latest or 0) + 1,
        algorithm=ALGORITHM,
        parameters=result.parameters,
        report={**result.report, "size_bytes": len(blob)},
        blob=blob,
        signature=signature,
        is_active=False,
    )
    if activate:
        activate_version(model)
    return model


@transaction.atomic
def activate_version(model: RouterModel) -> None:
    """Make `model` the only active version; running processes pick it up within the TTL."""
    RouterModel.objects.filter(is_active=True).exclude(pk=model.pk).update(is_active=False)
    if not model.is_active:
        model.is_active = True
        model.save(update_fields=["is_active"])
    from .services import forget_loaded_model  # noqa: PLC0415 - services imports this module

    # Now for this process (and its tests), and again after commit, in case a request in
    # another thread loaded the old version in between.
    forget_loaded_model()
    transaction.on_commit(forget_loaded_model)
