"""The figures as tables: what each page shows (an HTML table beside its chart), what the
chart draws (the same numbers, passed to ``static/statistics/statistics.js`` as JSON) and what
each CSV download holds. One description per table, so the three never disagree.

Cells hold raw values (an int, a share between 0 and 1, a number of days, text); ``cell_text``
writes them for the page in the active language, ``cell_csv`` for the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import formats
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loaportal.institutions.models import Institution
from loaportal.statistics.selectors import (
    OUTCOME_KEYS,
    AmendmentCounts,
    AtRisk,
    Counts,
    DliRow,
    Row,
)
from loaportal.verifications.models import VerificationRequest

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from loaportal.statistics.selectors import Percentiles

Status = VerificationRequest.Status

TEXT, COUNT, RATE, DAYS = "text", "count", "rate", "days"

# The outcome columns' labels: the statuses' own labels (one wording everywhere).
STATUS_OF = {
    "verified": Status.VERIFIED_MATCHED,
    "no_match": Status.NOT_VERIFIED_NO_MATCH,
    "cancelled": Status.NOT_VERIFIED_CANCELLED,
    "no_response": Status.NO_RESPONSE,
    "pending": Status.PENDING,
}

# How many DLIs the page lists (most requests first); the CSV holds them all.
DLI_ROWS_SHOWN = 25
DLI_ROWS_CHARTED = 10


def status_label(key: str) -> str:
    return str(Status(STATUS_OF[key]).label)


@dataclass(frozen=True)
class Column:
    key: str
    label: StrOrPromise
    kind: str = COUNT
    # Where the column appears: the page's table (and chart), the CSV file.
    html: bool = True
    csv: bool = True


@dataclass(frozen=True)
class Chart:
    """``kind``: "bar" or "line"; ``series``: the columns drawn (one dataset each);
    ``stacked``/``horizontal``: bar layouts; ``rows``: how many rows it draws (None: all)."""

    kind: str
    series: tuple[str, ...]
    stacked: bool = False
    horizontal: bool = False
    rows: int | None = None


@dataclass
class Table:
    slug: str
    caption: StrOrPromise
    columns: list[Column]
    rows: list[dict[str, Any]]
    chart: Chart | None = None
    # Shown under the caption's table: what the figures count.
    note: StrOrPromise = ""
    # Rows the page lists (None: all); the CSV always has every row.
    shown: int | None = None
    wide: bool = False
    empty: StrOrPromise = field(default_factory=lambda: gettext_lazy("No request in this period."))

    @property
    def chart_id(self) -> str:
        return f"statistics-chart-{self.slug}"

    @property
    def shown_rows(self) -> list[dict[str, Any]]:
        return self.rows if self.shown is None else self.rows[: self.shown]

    @property
    def truncated(self) -> bool:
        return self.shown is not None and len(self.rows) > self.shown

    @property
    def html_columns(self) -> list[Column]:
        return [c for c in self.columns if c.html]

    def html_rows(self) -> list[list[tuple[Column, str]]]:
        return [
            [(c, cell_text(row.get(c.key), c.kind)) for c in self.html_columns]
            for row in self.shown_rows
        ]

    def chart_data(self) -> dict[str, Any] | None:
        """What statistics.js draws: labels (the first column), one dataset per series."""
        if self.chart is None or not self.rows:
            return None
        rows = self.rows if self.chart.rows is None else self.rows[: self.chart.rows]
        first = self.columns[0]
        by_key = {c.key: c for c in self.columns}
        return {
            "kind": self.chart.kind,
            "stacked": self.chart.stacked,
            "horizontal": self.chart.horizontal,
            "unit": by_key[self.chart.series[0]].kind,
            "labels": [cell_text(row.get(first.key), first.kind) for row in rows],
            # A chart of one series colours each bar by its row (the outcomes).
            "rowKeys": [row.get("_key", "") for row in rows],
            "datasets": [
                {
                    "key": key,
                    "label": str(by_key[key].label),
                    "data": [chart_value(row.get(key), by_key[key].kind) for row in rows],
                }
                for key in self.chart.series
            ],
        }

    def csv_rows(self) -> Iterable[list[str]]:
        columns = [c for c in self.columns if c.csv]
        yield [str(c.label) + _csv_unit(c.kind) for c in columns]
        for row in self.rows:
            yield [cell_csv(row.get(c.key), c.kind) for c in columns]


def days(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds() / 86400


def chart_value(value: Any, kind: str) -> float | int | None:
    if value is None:
        return None
    if kind == RATE:
        return round(float(value) * 100, 2)
    if kind == DAYS:
        return round(float(value), 2)
    return int(value)


def cell_text(value: Any, kind: str) -> str:
    """A cell as the page shows it, in the active language ("1 234", "93,1 %")."""
    if value is None or value == "":
        return "–"
    if kind == COUNT:
        return formats.number_format(int(value), force_grouping=True)
    if kind == RATE:
        # number_format cuts digits off; round first ("16.7", not "16.6", for 2/12).
        percent = formats.number_format(
            round(float(value) * 100, 1), decimal_pos=1, force_grouping=True
        )
        return _("%(percent)s%%") % {"percent": percent}
    if kind == DAYS:
        return formats.number_format(round(float(value), 1), decimal_pos=1, force_grouping=True)
    if isinstance(value, date):
        return date_format(value, "F Y")
    return str(value)


def cell_csv(value: Any, kind: str) -> str:
    """A cell as the CSV holds it: plain numbers (a dot for decimals, shares in percent)."""
    if value is None or value == "":
        return ""
    if kind == COUNT:
        return str(int(value))
    if kind == RATE:
        return f"{float(value) * 100:.1f}"
    if kind == DAYS:
        return f"{float(value):.2f}"
    if isinstance(value, date):
        return value.strftime("%Y-%m")
    text = str(value)
    # A spreadsheet would run a cell that starts like a formula (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_unit(kind: str) -> str:
    if kind == RATE:
        return " (%)"
    return ""


# --- The tables ----------------------------------------------------------------------------


def _dli_label(institution: Institution | None) -> str:
    if institution is None:
        return ""
    return f"{institution.name} ({institution.dli_number})"


def _count_columns(*, pending: bool = True) -> list[Column]:
    keys = (*OUTCOME_KEYS, "pending") if pending else OUTCOME_KEYS
    return [
        Column("received", gettext_lazy("Requests received")),
        *(Column(k, status_label(k)) for k in keys),
    ]


def _count_cells(counts: Counts) -> dict[str, Any]:
    cells: dict[str, Any] = {"received": counts.total}
    for key in (*OUTCOME_KEYS, "pending"):
        cells[key] = getattr(counts, key)
    return cells


def _time_cells(times: Percentiles | None) -> dict[str, Any]:
    if times is None:
        return {"decided": 0, "median": None, "p90": None}
    return {"decided": times.count, "median": days(times.median), "p90": days(times.p90)}


def outcomes_table(counts: Counts) -> Table:
    rows = [
        {
            "_key": key,
            "outcome": status_label(key),
            "count": getattr(counts, key),
            "rate": counts.rate(key),
        }
        for key in OUTCOME_KEYS
    ]
    rows.append({"_key": "pending", "outcome": status_label("pending"), "count": counts.pending})
    return Table(
        slug="outcomes",
        caption=gettext_lazy("Requests by outcome"),
        columns=[
            Column("outcome", gettext_lazy("Outcome"), TEXT),
            Column("count", gettext_lazy("Number of requests")),
            Column("rate", gettext_lazy("Share of closed requests"), RATE),
        ],
        rows=rows,
        chart=Chart("bar", ("count",), horizontal=True),
        note=gettext_lazy(
            "Closed requests are those decided or left without a response; a pending request "
            "past its deadline counts as no response. Pending requests may still be decided."
        ),
    )


def months_table(rows: Sequence[Row]) -> Table:
    return Table(
        slug="months",
        caption=gettext_lazy("Requests by month of request"),
        columns=[Column("month", gettext_lazy("Month"), TEXT), *_count_columns()],
        rows=[{"month": row.key, **_count_cells(row.counts)} for row in rows],
        chart=Chart("bar", (*OUTCOME_KEYS, "pending"), stacked=True),
        wide=True,
    )


def decision_times_table(rows: Sequence[Row]) -> Table:
    return Table(
        slug="decision-times",
        caption=gettext_lazy("Time to decide by month of request (days)"),
        columns=[
            Column("month", gettext_lazy("Month"), TEXT),
            Column("decided", gettext_lazy("Requests decided")),
            Column("median", gettext_lazy("Median (days)"), DAYS),
            Column("p90", gettext_lazy("90th percentile (days)"), DAYS),
        ],
        rows=[{"month": row.key, **_time_cells(row.times)} for row in rows],
        chart=Chart("line", ("median", "p90")),
        note=gettext_lazy("From the request to the decision, for the requests decided."),
    )


def provinces_table(rows: Sequence[Row]) -> Table:
    labels = dict(Institution.Province.choices)
    return Table(
        slug="provinces",
        caption=gettext_lazy("Requests by province or territory"),
        columns=[
            Column("province", gettext_lazy("Province or territory"), TEXT),
            *_count_columns(),
            Column("no_response_rate", gettext_lazy("No-response rate"), RATE),
        ],
        rows=[
            {
                "province": str(labels.get(str(row.key), _("Not specified"))),
                **_count_cells(row.counts),
                "no_response_rate": row.counts.rate("no_response"),
            }
            for row in rows
        ],
        chart=Chart("bar", (*OUTCOME_KEYS, "pending"), stacked=True, horizontal=True),
        wide=True,
    )


def dlis_table(rows: Sequence[DliRow]) -> Table:
    labels = dict(Institution.Province.choices)
    return Table(
        slug="dlis",
        caption=gettext_lazy("Requests by DLI, most requests first"),
        columns=[
            Column("dli_both", gettext_lazy("DLI"), TEXT, csv=False),
            Column("dli", gettext_lazy("DLI"), TEXT, html=False),
            Column("dli_number", gettext_lazy("DLI number"), TEXT, html=False),
            Column("province", gettext_lazy("Province or territory"), TEXT),
            *_count_columns(),
            Column("no_response_rate", gettext_lazy("No-response rate"), RATE),
            Column("median", gettext_lazy("Median time to decide (days)"), DAYS),
        ],
        rows=[
            {
                "dli_both": _dli_label(row.institution),
                "dli": row.institution.name if row.institution else "",
                "dli_number": row.institution.dli_number if row.institution else "",
                "province": str(labels.get(row.institution.province, ""))
                if row.institution
                else "",
                **_count_cells(row.counts),
                "no_response_rate": row.counts.rate("no_response"),
                "median": days(row.times.median) if row.times else None,
            }
            for row in rows
        ],
        chart=Chart(
            "bar", (*OUTCOME_KEYS, "pending"), stacked=True, horizontal=True, rows=DLI_ROWS_CHARTED
        ),
        shown=DLI_ROWS_SHOWN,
        wide=True,
    )


def amendments_table(rows: Sequence[AmendmentCounts]) -> Table:
    kinds = {
        "extension": gettext_lazy("Extension requests"),
        "correction": gettext_lazy("Correction requests"),
    }
    return Table(
        slug="amendments",
        caption=gettext_lazy("Extension and correction requests"),
        columns=[
            Column("kind", gettext_lazy("Type of request"), TEXT),
            Column("submitted", gettext_lazy("Awaiting a decision")),
            Column("approved", gettext_lazy("Approved")),
            Column("refused", gettext_lazy("Refused")),
            Column("total", gettext_lazy("Total")),
        ],
        rows=[
            {
                "kind": str(kinds[row.kind]),
                "submitted": row.submitted,
                "approved": row.approved,
                "refused": row.refused,
                "total": row.total,
            }
            for row in rows
        ],
        chart=Chart("bar", ("submitted", "approved", "refused")),
        note=gettext_lazy("About the verification requests made in the period."),
    )


def at_risk_table(
    rows: Sequence[AtRisk],
    *,
    hours: int,
    soon_hours: int,
    days_: int,
    pending: int,
    rate: float,
    min_closed: int,
) -> Table:
    labels = dict(Institution.Province.choices)

    def reasons(row: AtRisk) -> str:
        said = []
        if row.many_due:
            said.append(_("Many requests due soon"))
        if row.high_no_response:
            said.append(_("High no-response rate"))
        return "; ".join(said)

    return Table(
        slug="at-risk",
        caption=gettext_lazy("DLIs at risk"),
        columns=[
            Column("dli_both", gettext_lazy("DLI"), TEXT, csv=False),
            Column("dli", gettext_lazy("DLI"), TEXT, html=False),
            Column("dli_number", gettext_lazy("DLI number"), TEXT, html=False),
            Column("province", gettext_lazy("Province or territory"), TEXT),
            Column(
                "due_soon",
                _("Pending, due within %(hours)s hours") % {"hours": soon_hours},
            ),
            Column("due_window", _("Pending, due within %(hours)s hours") % {"hours": hours}),
            Column(
                "closed_recently",
                _("Deadlines passed in the last %(days)s days") % {"days": days_},
            ),
            Column("no_response_rate", gettext_lazy("No-response rate"), RATE),
            Column("reason", gettext_lazy("Why"), TEXT),
        ],
        rows=[
            {
                "dli_both": _dli_label(row.institution),
                "dli": row.institution.name,
                "dli_number": row.institution.dli_number,
                "province": str(labels.get(row.institution.province, "")),
                "due_soon": row.due_soon,
                "due_window": row.due_window,
                "closed_recently": row.closed_recently,
                "no_response_rate": row.no_response_rate,
                "reason": reasons(row),
            }
            for row in rows
        ],
        note=_(
            "A DLI is at risk when %(pending)s or more of its pending requests fall due within "
            "%(hours)s hours, or when at least %(rate)s of its requests whose deadline passed "
            "in the last %(days)s days (at least %(min_closed)s of them) got no response. The "
            "period filter does not apply to this list."
        )
        % {
            "pending": pending,
            "hours": hours,
            "rate": cell_text(rate, RATE),
            "days": days_,
            "min_closed": min_closed,
        },
        shown=DLI_ROWS_SHOWN,
        wide=True,
        empty=gettext_lazy("No DLI is at risk now."),
    )
