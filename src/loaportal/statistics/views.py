"""Statistics pages: officers' (every DLI, or filtered by province or DLI) and a DLI's own
(its members, primary or secondary). Each table can be downloaded as CSV (``?download=<table>``
with the page's filters): UTF-8 with a byte-order mark, so spreadsheets read accents right."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from loaportal.core.access import member, officer
from loaportal.core.http import MemberRequest, SignedInRequest
from loaportal.statistics import tables
from loaportal.statistics.forms import (
    OfficerStatisticsFilterForm,
    StatisticsFilterForm,
    month_text,
)
from loaportal.statistics.selectors import (
    Figures,
    Filters,
    statistics_amendments,
    statistics_at_risk,
    statistics_figures,
    statistics_refreshed_at,
    statistics_requests_visible_to,
)
from loaportal.verifications.deadlines import DEADLINE_ZONE

# The period shown when the page is opened without filters: this month and the 11 before.
DEFAULT_MONTHS = 12


def default_period(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.now().astimezone(DEADLINE_ZONE).date()
    last = today.replace(day=1)
    first = last
    for _ in range(DEFAULT_MONTHS - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    return first, last


def _filter_data(request: SignedInRequest) -> QueryDict:
    """The query, or the default period when the page is opened without one."""
    data = request.GET.copy()
    data.pop("download", None)
    if not data:
        first, last = default_period()
        data.update({"month_from": month_text(first), "month_to": month_text(last)})
    return data


def _key_figures(figures: Figures) -> dict[str, Any]:
    times = figures.times
    return {
        "totals": figures.totals,
        "times": times,
        "median_days": tables.days(times.median) if times else None,
        "p90_days": tables.days(times.p90) if times else None,
        "refreshed_at": statistics_refreshed_at(),
    }


def _csv_response(table: tables.Table) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statistics-{table.slug}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    for row in table.csv_rows():
        writer.writerow(row)
    return response


def _answer(
    request: SignedInRequest,
    template: str,
    context: dict[str, Any],
    table_list: Sequence[tables.Table],
    query: QueryDict,
) -> HttpResponse:
    wanted = request.GET.get("download")
    if wanted is not None:
        for table in table_list:
            if table.slug == wanted:
                return _csv_response(table)
        raise Http404
    params = query.copy()
    context.update({"tables": table_list, "query": params.urlencode()})
    return render(request, template, context)


@officer
@require_GET
def officer_statistics(request: SignedInRequest) -> HttpResponse:
    data = _filter_data(request)
    form = OfficerStatisticsFilterForm(data)
    context: dict[str, Any] = {"form": form}
    if not form.is_valid():
        return _answer(request, "statistics/officer.html", context, [], data)
    filters = Filters(
        month_from=form.cleaned_data["month_from"],
        month_to=form.cleaned_data["month_to"],
        province=form.cleaned_data["province"] or "",
        institution=form.cleaned_data["dli"],
    )
    now = timezone.now()
    requests = statistics_requests_visible_to(user=request.user, filters=filters)
    every_dli = request.GET.get("download") == "dlis"
    figures = statistics_figures(
        user=request.user,
        filters=filters,
        dli_times=None if every_dli else tables.DLI_ROWS_SHOWN,
    )
    at_risk = statistics_at_risk(user=request.user, filters=filters, now=now)
    table_list = [
        tables.outcomes_table(figures.totals),
        tables.months_table(figures.months),
        tables.decision_times_table(figures.months),
        tables.provinces_table(figures.provinces),
        tables.dlis_table(figures.dlis),
    ]
    table_list.append(tables.amendments_table(statistics_amendments(requests)))
    table_list.append(
        tables.at_risk_table(
            at_risk,
            hours=settings.STATISTICS_AT_RISK_HOURS,
            soon_hours=settings.STATISTICS_AT_RISK_SOON_HOURS,
            days_=settings.STATISTICS_AT_RISK_DAYS,
            pending=settings.STATISTICS_AT_RISK_PENDING,
            rate=settings.STATISTICS_AT_RISK_NO_RESPONSE_RATE,
            min_closed=settings.STATISTICS_AT_RISK_MIN_CLOSED,
        )
    )
    context.update(
        {
            **_key_figures(figures),
            "filters": filters,
        }
    )
    return _answer(request, "statistics/officer.html", context, table_list, data)


@member
@require_GET
def dli_statistics(request: MemberRequest) -> HttpResponse:
    data = _filter_data(request)
    form = StatisticsFilterForm(data)
    institution = request.membership.institution
    context: dict[str, Any] = {"form": form, "institution": institution}
    if not form.is_valid():
        return _answer(request, "statistics/dli.html", context, [], data)
    # The member's own DLI, always: the selector sees nothing else for them anyway.
    filters = Filters(
        month_from=form.cleaned_data["month_from"],
        month_to=form.cleaned_data["month_to"],
        institution=institution,
    )
    figures = statistics_figures(user=request.user, filters=filters, dli_times=0)
    table_list = [
        tables.outcomes_table(figures.totals),
        tables.months_table(figures.months),
        tables.decision_times_table(figures.months),
    ]
    context.update(_key_figures(figures))
    return _answer(request, "statistics/dli.html", context, table_list, data)
