"""Swedish by default: the language follows the user's explicit choice, never the browser.

Staff in a Swedish municipality work in Swedish whatever their browser says; English is chosen
with the language switcher, which sets a cookie that Django's LocaleMiddleware reads.
"""


class SwedishByDefaultMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
