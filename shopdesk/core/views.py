# Scaffold: the URLconf imports these; each is replaced by its real view.
from django.http import Http404


def home(request, *args, **kwargs):
    raise Http404


def login_view(request, *args, **kwargs):
    raise Http404


def logout_view(request, *args, **kwargs):
    raise Http404


def account(request, *args, **kwargs):
    raise Http404


def password_change(request, *args, **kwargs):
    raise Http404


def api_token_new(request, *args, **kwargs):
    raise Http404


def api_token_revoke(request, *args, **kwargs):
    raise Http404


def password_reset(request, *args, **kwargs):
    raise Http404


def password_reset_sent(request, *args, **kwargs):
    raise Http404


def password_reset_confirm(request, *args, **kwargs):
    raise Http404


def password_reset_complete(request, *args, **kwargs):
    raise Http404


def healthz(request, *args, **kwargs):
    raise Http404
