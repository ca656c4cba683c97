"""Each POST carrying a form's one-time token is handled once (`submissions.resend`)."""

from __future__ import annotations

from submissions import resend

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class ResentFormMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        resend.finish(request, response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or request.content_type not in FORM_TYPES:
            return None
        if getattr(view_func, "submission_checked_in_view", False):
            return None  # it reads the body itself, later (documents' upload handlers)
        return resend.begin(request)
