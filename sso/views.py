"""The provider's login, its callback, and logging out (also at the provider, when it can)."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from mozilla_django_oidc import views as oidc_views

from sso import config
from sso.actions import LoginRefused

logger = logging.getLogger("brygga.sso")

# The pages a refused login shows; the detailed reason goes to the application log only.
NO_ROLE, CANCELLED, UNREACHABLE, FAILED = "no_role", "cancelled", "unreachable", "failed"


class OIDCEnabledOnly:
    """With BRYGGA_AUTH=local the provider's addresses do not exist."""

    def dispatch(self, request, *args, **kwargs):
        if not config.oidc_enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class LoginView(OIDCEnabledOnly, oidc_views.OIDCAuthenticationRequestView):
    """Sends the browser to the provider, with state, nonce and PKCE kept in the session."""


class CallbackView(OIDCEnabledOnly, oidc_views.OIDCAuthenticationCallbackView):
    def get(self, request):
        try:
            return super().get(request)
        except LoginRefused as exc:
            return refused(request, exc.reason)
        except SuspiciousOperation as exc:
            return refused(request, _suspicious_reason(str(exc)))
        except jwt.PyJWTError:
            return refused(request, "token_malformed")
        except (requests.HTTPError, requests.JSONDecodeError):
            return refused(request, "provider_error")
        except requests.RequestException:
            return refused(request, "provider_unreachable")
        except (KeyError, TypeError, ValueError):
            return refused(request, "provider_response_malformed")

    def login_failure(self):
        error = self.request.GET.get("error")
        if error:
            reason = CANCELLED if error == "access_denied" else "provider_error"
        elif "oidc_states" not in self.request.session:
            reason = "callback_state_missing"
        else:
            reason = "not_authenticated"
        return refused(self.request, reason)

    def login_success(self):
        response = super().login_success()
        logger.info("sso login: session started")
        return response


def _suspicious_reason(message: str) -> str:
    if "Nonce" in message:
        return "token_nonce"
    if "state" in message:
        return "callback_state_unknown"
    return "token_invalid"


def refused(request, reason: str):
    """A clear page for the person; a fixed reason code, and nothing about who, in the log."""
    logger.warning("sso login refused: %s", reason)
    if reason == NO_ROLE:
        page, status = NO_ROLE, 403
    elif reason == CANCELLED:
        page, status = CANCELLED, 403
    elif reason.startswith("provider_unreachable"):
        page, status = UNREACHABLE, 502
    else:
        page, status = FAILED, 403
    context = {"page": page, "password_login": config.password_login_enabled()}
    return render(request, "sso/refused.html", context, status=status)


class LogoutView(auth_views.LogoutView):
    """Ends the Brygga session; after a login through the provider, also the provider's
    session when it publishes an end_session_endpoint (RP-initiated logout)."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get("oidc_id_token")
        response = super().post(request, *args, **kwargs)
        end_session = settings.OIDC_OP_LOGOUT_ENDPOINT
        if not (id_token and end_session and config.oidc_enabled()):
            return response
        query = urlencode(
            {
                "id_token_hint": id_token,
                "client_id": settings.OIDC_RP_CLIENT_ID,
                "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
            }
        )
        return HttpResponseRedirect(f"{end_session}?{query}")
