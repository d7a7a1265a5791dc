"""Learner accounts on top of Django's auth views: sign-up, throttled sign-in, export, deletion."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from core import ratelimit

from .services import export_learner_data

SIGN_IN_WINDOW = 15 * 60
SIGN_IN_FAILURES_PER_ACCOUNT = 5
SIGN_IN_FAILURES_PER_ADDRESS = 20


class ThrottledAuthenticationForm(AuthenticationForm):
    """Refuses sign-in after repeated failures for one username or from one address.

    The same message is given whether or not the account exists, so failures reveal nothing.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": (
            "Too many failed sign-in attempts. Please wait 15 minutes and try again, "
            "or reset your password."
        ),
    }

    def clean(self):
        username = (self.data.get("username") or "").strip().lower()
        address = ratelimit.client_ip(self.request) if self.request else "unknown"
        account_key, address_key = [f"signin:account:{username}"], [f"signin:ip:{address}"]
        if (
            ratelimit.failures(account_key, window=SIGN_IN_WINDOW) >= SIGN_IN_FAILURES_PER_ACCOUNT
            or ratelimit.failures(address_key, window=SIGN_IN_WINDOW)
            >= SIGN_IN_FAILURES_PER_ADDRESS
        ):
            raise ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            return super().clean()
        except ValidationError:
            ratelimit.record_failure(account_key + address_key, window=SIGN_IN_WINDOW)
            raise


class SignInView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True


class SignUpForm(UserCreationForm):
    email = forms.EmailField(
        help_text="Required. We use it only if you need to reset your password.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def validate_password_for_user(self, user, **kwargs):
        # "This password is too common" is about the password, so it belongs under the password
        # field, not under its confirmation (Django's default).
        super().validate_password_for_user(user, password_field_name="password1")  # noqa: S106


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("lessons:my_learning")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome to Glassbox! Your progress now saves to your account.")
        next_url = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            return redirect(next_url)
        return redirect("lessons:my_learning")
    return render(
        request, "accounts/signup.html", {"form": form, "next": request.GET.get("next", "")}
    )


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/account.html")


@login_required
def export_data(request: HttpRequest) -> HttpResponse:
    """Everything the site holds about the signed-in learner, as one JSON download."""
    body = json.dumps(export_learner_data(request.user), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="glassbox-my-data.json"'
    return response


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError("That password is not right.")
        return password


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        user.delete()  # cascades to progress, quiz attempts and tutor questions
        messages.success(request, "Your account and everything it held have been deleted.")
        return redirect(settings.LOGOUT_REDIRECT_URL)
    return render(request, "accounts/delete_account.html", {"form": form})
