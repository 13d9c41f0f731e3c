"""Tiny comparison for ADR 0008: django-ninja vs Django REST framework on the same JSON
endpoint (validate a batch of 100 decision items, answer 100 results), through Django's test
client, no database. DRF is not a dependency of the portal: run it in a scratch environment.

    python3 -m venv /tmp/fw && /tmp/fw/bin/pip install "Django>=5.2,<5.3" django-ninja \
        djangorestframework && /tmp/fw/bin/python benchmarks/api_frameworks.py
"""

# ruff: noqa: E402, S106 (settings must be configured before the frameworks are imported)
import json
import time

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    SECRET_KEY="x",
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework"],
    MIDDLEWARE=[],
    DATABASES={},
    REST_FRAMEWORK={
        "DEFAULT_AUTHENTICATION_CLASSES": [],
        "DEFAULT_PERMISSION_CLASSES": [],
        "UNAUTHENTICATED_USER": None,
    },
)
django.setup()
from django.urls import path
from ninja import Field, NinjaAPI, Schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response


class ItemIn(Schema):
    application_number: str = Field(..., max_length=64)
    outcome: str
    comment: str = ""


class BatchIn(Schema):
    decisions: list[ItemIn] = Field(..., max_length=1000)


class ItemOut(Schema):
    index: int
    application_number: str
    recorded: bool
    code: str | None = None


class BatchOut(Schema):
    results: list[ItemOut]


api = NinjaAPI()


@api.post("/decisions", response=BatchOut)
def ninja_view(request, payload: BatchIn):
    return {
        "results": [
            {"index": i, "application_number": d.application_number, "recorded": True, "code": None}
            for i, d in enumerate(payload.decisions)
        ]
    }


class ItemSer(serializers.Serializer):
    application_number = serializers.CharField(max_length=64)
    outcome = serializers.CharField()
    comment = serializers.CharField(allow_blank=True, required=False, default="")


class BatchSer(serializers.Serializer):
    decisions = ItemSer(many=True)


class ItemOutSer(serializers.Serializer):
    index = serializers.IntegerField()
    application_number = serializers.CharField()
    recorded = serializers.BooleanField()
    code = serializers.CharField(allow_null=True)


@api_view(["POST"])
def drf_view(request):
    s = BatchSer(data=request.data)
    s.is_valid(raise_exception=True)
    out = [
        {"index": i, "application_number": d["application_number"], "recorded": True, "code": None}
        for i, d in enumerate(s.validated_data["decisions"])
    ]
    return Response({"results": ItemOutSer(out, many=True).data})


urlpatterns = [path("ninja/", api.urls), path("drf/decisions", drf_view)]

from django.test import Client

c = Client()
body = json.dumps(
    {
        "decisions": [
            {"application_number": f"S{i:09d}", "outcome": "verified_matched", "comment": ""}
            for i in range(100)
        ]
    }
)


def run(url, n=300):
    for _ in range(20):
        assert c.post(url, body, content_type="application/json").status_code == 200
    times = []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(n):
            c.post(url, body, content_type="application/json")
        times.append((time.perf_counter() - t) / n)
    return min(times)


for name, url in (("django-ninja", "/ninja/decisions"), ("DRF", "/drf/decisions")):
    best = run(url)
    print(f"{name:14} {best * 1000:.2f} ms per call of 100 items ({100 / best:.0f} items/s)")
import ninja
import rest_framework

print(
    "django-ninja", ninja.__version__, "DRF", rest_framework.VERSION, "Django", django.get_version()
)
