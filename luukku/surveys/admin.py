"""Admin for surveys: the region admin looks; the staff pages change.

Everything is read-only here: surveys are built on the staff pages, whose builder keeps
answers comparable and writes the audit log. Token hashes and case links are not shown.
Staff survey responses are left out altogether: one by one they would bypass the rule that
staff results are shown only for groups of at least five, and who took part is not shown
either (StaffParticipation is not registered).
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from luukku.accounts.admin_base import ReadOnlyInline, RegionAdminReadOnly

from .models import Answer, Choice, Invitation, Question, Response, Survey, Touchpoint


class QuestionInline(ReadOnlyInline):
    model = Question
    fields = ("position", "code", "kind", "text_fi", "required", "show_if_question")


class TouchpointInline(ReadOnlyInline):
    model = Touchpoint
    fields = ("kind", "code", "label", "service", "location", "active")


@admin.register(Survey)
class SurveyAdmin(RegionAdminReadOnly):
    list_display = ("title_fi", "kind", "organisation", "status", "opens_at", "closes_at")
    list_filter = ("kind", "status")
    list_select_related = ("organisation",)
    search_fields = ("title_fi", "title_sv", "title_en")
    inlines = (QuestionInline, TouchpointInline)


class ChoiceInline(ReadOnlyInline):
    model = Choice
    fields = ("position", "code", "label_fi", "label_sv", "label_en")


@admin.register(Question)
class QuestionAdmin(RegionAdminReadOnly):
    list_display = ("code", "survey", "kind", "position", "required")
    list_filter = ("kind",)
    list_select_related = ("survey",)
    search_fields = ("code", "text_fi")
    inlines = (ChoiceInline,)


@admin.register(Invitation)
class InvitationAdmin(RegionAdminReadOnly):
    list_display = ("survey", "sent_via", "created_at", "expires_at", "first_answered_at")
    list_filter = ("sent_via",)
    list_select_related = ("survey",)
    exclude = ("token_hash", "case_key", "case")


class AnswerInline(ReadOnlyInline):
    model = Answer
    fields = ("question", "number", "choices", "text")


@admin.register(Response)
class ResponseAdmin(RegionAdminReadOnly):
    list_display = ("pk", "survey", "status", "touchpoint", "service", "channel", "submitted_at")
    list_filter = ("status", "channel")
    list_select_related = ("survey", "touchpoint", "service")
    exclude = ("resume_token_hash", "idempotency_key", "invitation", "staff_unit")
    inlines = (AnswerInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Response]:
        return super().get_queryset(request).exclude(survey__kind=Survey.Kind.STAFF)
