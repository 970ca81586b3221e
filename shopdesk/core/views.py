"""Signing in and out, the account page (password, API tokens), password reset, health."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm
from django.contrib.auth.views import PasswordResetConfirmView
from django.db import DatabaseError, connection
from django.db.models import F
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from shopdesk.core import ratelimit
from shopdesk.core import services as core_services
from shopdesk.core.errors import ShopDeskError
from shopdesk.core.forms import ApiTokenForm, LoginForm
from shopdesk.core.models import ApiToken, Role
from shopdesk.core.permissions import FLOOR_SESSION_KEY, is_floor_session

# Session keys: the raw token shown once, and the create forms already used.
NEW_TOKEN_SESSION_KEY = "shopdesk.new_api_token"  # noqa: S105 (a key name, not a secret)
USED_TOKEN_FORMS_SESSION_KEY = "shopdesk.api_token_forms_used"  # noqa: S105


# Where each role starts: operators at the work center tiles (pick a machine, see its queue,
# start work), supervisors and owners at the dashboard, everyone else at the job list.
HOME_BY_ROLE = {
    Role.OPERATOR: "kiosk_work_centers",
    Role.SUPERVISOR: "jobs:dashboard",
    Role.OWNER: "jobs:dashboard",
}


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Pages name the SVG icon; what asks for /favicon.ico by habit is sent to it."""
    return HttpResponsePermanentRedirect(static("shopdesk/favicon.svg"))


def home_url(user: Any) -> str:
    membership = getattr(user, "membership", None) if user.is_authenticated else None
    if membership is not None and membership.floor_session:
        # Signed in at a kiosk: floor work, whatever the role.
        return reverse("kiosk_work_centers")
    if membership is None:
        return reverse("no_shop")
    return reverse(HOME_BY_ROLE.get(membership.role, "jobs:list"))


@login_required
@require_safe
def no_shop(request: HttpRequest) -> HttpResponse:
    """Where a signed-in person who belongs to no shop lands: nothing of any shop, a way to
    sign out. A member who opens it goes home."""
    if request.membership is not None:
        return redirect(home_url(request.user))
    return render(request, "core/no_shop.html", status=403)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(home_url(request.user))
    return redirect("login")


def _asked_next(request: HttpRequest) -> str:
    """The page asked for after signing in, when it is on this site; else ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _safe_next(request: HttpRequest) -> str:
    """Where to go once signed in: the page asked for, or the person's home."""
    return _asked_next(request) or home_url(request.user)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    # A kiosk (badge and PIN) session sees the form: office work needs the password.
    if request.user.is_authenticated and request.method == "GET" and not is_floor_session(request):
        return HttpResponseRedirect(_safe_next(request))
    form = LoginForm(request)
    if request.user.is_authenticated:
        # At the kiosk, stepping up to the password: the person is known already.
        form = LoginForm(request, initial={"username": request.user.get_username()})
    status = 200
    if request.method == "POST":
        username = str(request.POST.get("username", ""))[:150]
        # Refused before the password is even checked: while limited, the right password
        # does not help the guesser. The owner's own browser and other addresses are
        # counted apart (shopdesk.core.ratelimit), so this wall is the guesser's.
        wait = ratelimit.login_wait(request, username)
        if wait:
            response = render(
                request,
                "registration/login.html",
                {
                    "form": LoginForm(request, initial={"username": username}),
                    "next": _asked_next(request),
                    "too_many_attempts": True,
                    "retry_minutes": max(1, round(wait / 60)),
                },
                status=429,
            )
            response["Retry-After"] = str(wait)
            return response
        form = LoginForm(request, data=request.POST)
        if form.is_valid():
            user = form.get_user()
            auth_login(request, user)
            # The password opens an office session, even on a tablet signed in by badge.
            request.session.pop(FLOOR_SESSION_KEY, None)
            request.session.set_expiry(None)
            membership = getattr(user, "membership", None)
            where = f" to {membership.shop.name}" if membership is not None else ""
            messages.success(
                request, f"Signed in{where} as {user.get_full_name() or user.username}."
            )
            response = HttpResponseRedirect(_safe_next(request))
            ratelimit.login_succeeded(request, response, username)
            return response
        if username:
            ratelimit.login_failed(request, username)
        status = 422
    return render(
        request,
        "registration/login.html",
        {"form": form, "next": _asked_next(request)},
        status=status,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    was_signed_in = request.user.is_authenticated
    auth_logout(request)
    if was_signed_in:
        messages.info(request, "You are signed out.")
    return redirect("login")


def _tokens_of(user: Any) -> list[ApiToken]:
    # Active tokens first (NULLS FIRST spelled out: PostgreSQL sorts NULL last by default).
    return list(
        ApiToken.objects.filter(user=user).order_by(
            F("revoked_at").desc(nulls_first=True), "-created_at", "-id"
        )
    )


def _get_token_for(user: Any, token_id: int) -> ApiToken:
    """The user's own token; anyone else's id answers 404, as if it did not exist."""
    try:
        return ApiToken.objects.get(pk=token_id, user=user)
    except ApiToken.DoesNotExist as exc:
        raise Http404("No such token.") from exc


def _render_account(
    request: HttpRequest, *, token_form: ApiTokenForm | None = None, status: int = 200
) -> HttpResponse:
    new_token = request.session.pop(NEW_TOKEN_SESSION_KEY, None)
    if token_form is None:
        token_form = ApiTokenForm(initial={"form_id": secrets.token_urlsafe(18)})
    response = render(
        request,
        "core/account.html",
        {
            "tokens": _tokens_of(request.user),
            "token_form": token_form,
            "new_token": new_token,
        },
        status=status,
    )
    if new_token:
        # The raw token is on this page only: no cache, no back-button copy.
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    return _render_account(request)


@login_required
@require_POST
def api_token_new(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _render_account(request, token_form=form, status=422)
    used = request.session.get(USED_TOKEN_FORMS_SESSION_KEY, [])
    if form.cleaned_data["form_id"] in used:
        # A double-click or a resent form: the first submit made the token already.
        return redirect("account")
    try:
        token, raw = core_services.api_token_create(
            user=request.user, name=form.cleaned_data["name"]
        )
    except ShopDeskError as refused:
        form.add_error(None, refused.message)
        return _render_account(request, token_form=form, status=refused.status)
    request.session[USED_TOKEN_FORMS_SESSION_KEY] = [*used, form.cleaned_data["form_id"]][-20:]
    request.session[NEW_TOKEN_SESSION_KEY] = {"raw": raw, "id": token.pk, "name": token.name}
    return redirect("account")


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = _get_token_for(request.user, token_id)
    already = token.revoked_at is not None
    try:
        core_services.api_token_revoke(user=request.user, token=token)
    except ShopDeskError as exc:
        messages.error(request, exc.message)
        return redirect("account")
    if already:
        messages.info(request, f"Token {token.prefix}… was already revoked.")
    else:
        messages.success(request, f"Token {token.prefix}… revoked. It no longer works.")
    return redirect("account")


@sensitive_post_parameters()
@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user)
    status = 200
    if request.method == "POST":
        form = PasswordChangeForm(request.user, request.POST)
        if form.is_valid():
            user = form.save()
            # Keep this session signed in; every other session of the user is signed out.
            update_session_auth_hash(request, user)
            messages.success(request, "Your password is changed.")
            return redirect("account")
        status = 422
    return render(request, "registration/password_change_form.html", {"form": form}, status=status)


def _site_url(request: HttpRequest) -> str:
    # SITE_URL when set, so a forged Host header cannot point reset links elsewhere.
    return settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")


@sensitive_post_parameters()
@csrf_protect
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetForm()
    status = 200
    if request.method == "POST":
        email = str(request.POST.get("email", ""))[:254]
        # Only the asking address is refused: no one can keep an email's owner from a reset
        # by asking for it first (shopdesk.core.ratelimit.reset_requested).
        if ratelimit.reset_wait(request):
            return render(
                request,
                "registration/password_reset_form.html",
                {"form": PasswordResetForm(initial={"email": email}), "too_many_attempts": True},
                status=429,
            )
        form = PasswordResetForm(request.POST)
        if form.is_valid():
            # Sends only when an active account has this email; the answer is the same
            # either way, so the form does not tell who has an account.
            if ratelimit.reset_requested(request, form.cleaned_data["email"]):
                form.save(
                    request=request,
                    use_https=request.is_secure(),
                    subject_template_name="registration/password_reset_subject.txt",
                    email_template_name="registration/password_reset_email.txt",
                    html_email_template_name="registration/password_reset_email.html",
                    extra_email_context={"site_url": _site_url(request)},
                )
            return redirect("password_reset_done")
        status = 422
    return render(request, "registration/password_reset_form.html", {"form": form}, status=status)


@require_GET
def password_reset_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/password_reset_done.html")


class ShopDeskPasswordResetConfirmView(PasswordResetConfirmView):
    """Django's reset-link view (it moves the token out of the URL before showing the form)."""

    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # The owner of the email proved who they are: let them sign in straight away.
        ratelimit.login_forgive(self.user.get_username())
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=422)


password_reset_confirm = ShopDeskPasswordResetConfirmView.as_view()


@require_GET
def password_reset_complete(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/password_reset_complete.html")


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitors: 200 when the app answers and the database does."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
