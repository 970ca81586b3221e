# Scaffold: the URLconf imports these; each is replaced by its real view.
from django.http import Http404


def customer_list(request, *args, **kwargs):
    raise Http404


def customer_create(request, *args, **kwargs):
    raise Http404


def customer_detail(request, *args, **kwargs):
    raise Http404


def customer_edit(request, *args, **kwargs):
    raise Http404


def contact_add(request, *args, **kwargs):
    raise Http404
