# Scaffold: the URLconf imports these; each is replaced by its real view.
from django.http import Http404


def part_list(request, *args, **kwargs):
    raise Http404


def part_create(request, *args, **kwargs):
    raise Http404


def part_detail(request, *args, **kwargs):
    raise Http404


def part_edit(request, *args, **kwargs):
    raise Http404
