"""The demo ideas: every status shown, decided by the people the rules allow, loaded once."""

import pytest

from luukku.demo.services import load_demo_region
from luukku.ideas.demo import DEMO_IDEAS, load_demo_ideas
from luukku.ideas.models import Idea, IdeaComment, IdeaSupport
from luukku.ideas.selectors import may_decide
from luukku.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    return load_demo_region()


def test_the_demo_ideas_show_every_status_and_are_loaded_once(demo):
    # The demo region loaded them with its staff; a second load writes nothing.
    assert demo.counts["demo ideas"] == len(DEMO_IDEAS) == 8
    assert load_demo_ideas() == 0

    ideas = Idea.objects.all()
    assert ideas.count() == 8
    assert set(ideas.values_list("status", flat=True)) == set(Idea.Status.values)
    assert set(ideas.values_list("kind", flat=True)) == set(Idea.Kind.values)
    assert IdeaComment.objects.count() >= 5
    assert IdeaSupport.objects.count() >= 15
    for idea in ideas.exclude(status="new").prefetch_related("status_changes__changed_by"):
        for change in idea.status_changes.all()[1:]:
            assert may_decide(change.changed_by, idea), (idea, change)
    assert Notification.objects.filter(kind="idea_submitted").exists()
    # The history reads in time order, from the submission to the last decision.
    adopted = ideas.filter(status="adopted").earliest("created_at")
    times = list(adopted.status_changes.values_list("changed_at", flat=True))
    assert times == sorted(times)
    assert adopted.created_at <= times[0]


def test_without_the_demo_staff_no_ideas_are_written():
    assert load_demo_ideas() == 0
    assert not Idea.objects.exists()
