"""The median and 90th percentile of a duration, per group, computed by the database.

PostgreSQL has the ordered-set aggregate ``percentile_cont``: one ``GROUP BY`` query. Other
databases (SQLite) number each group's rows in order with window functions and return only the
two rows around each percentile's position; the interpolation between them is the same as
``percentile_cont``'s (position ``p × (n − 1)``, linear between the neighbours), so both give
the same figures (``tests/statistics/test_percentiles.py`` compares them on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, Expression, F, QuerySet, Value

MEDIAN = 0.5
P90 = 0.9
FRACTIONS = (MEDIAN, P90)


@dataclass(frozen=True)
class Percentiles:
    count: int
    median: timedelta
    p90: timedelta


class PercentileCont(Aggregate):
    """PostgreSQL's ``percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)``."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False

    def __init__(self, expression: Any, *, fraction: float) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be between 0 and 1")
        # A constant of this module, never user input: written into the SQL as a literal.
        super().__init__(expression, fraction=f"{float(fraction)!r}", output_field=DurationField())


def _group_key(value: Any) -> Hashable:
    """Group keys as the ORM would give them: a month as the date of its first day."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).date()
        except ValueError:
            return value
    if isinstance(value, date | int) or value is None:
        return value
    return str(value)


def _as_duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    # SQLite: Django's django_timestamp_diff() gives microseconds.
    return timedelta(microseconds=int(value))


def percentiles_by_group(
    rows: QuerySet[Any],
    *,
    group: Expression | F | None,
    duration: Expression,
    window: bool = False,
) -> dict[Hashable, Percentiles]:
    """Median and 90th percentile of ``duration`` over ``rows``, for each value of ``group``
    (``None``: one group, keyed ``None``). ``window=True`` uses the portable method even on
    PostgreSQL (the tests compare both)."""
    if rows.query.is_empty():
        return {}
    group_expr = group if group is not None else Value(0)
    if connection.vendor == "postgresql" and not window:
        grouped = (
            rows.order_by()
            .annotate(statistics_group=group_expr)
            .values("statistics_group")
            .annotate(
                statistics_n=Count("pk"),
                statistics_median=PercentileCont(duration, fraction=MEDIAN),
                statistics_p90=PercentileCont(duration, fraction=P90),
            )
        )
        return {
            (_group_key(row["statistics_group"]) if group is not None else None): Percentiles(
                count=row["statistics_n"],
                median=_as_duration(row["statistics_median"]),
                p90=_as_duration(row["statistics_p90"]),
            )
            for row in grouped
        }
    return _percentiles_by_window(rows, group_expr=group_expr, duration=duration, grouped=group)


def _percentiles_by_window(
    rows: QuerySet[Any], *, group_expr: Expression | F, duration: Expression, grouped: Any
) -> dict[Hashable, Percentiles]:
    inner = (
        rows.order_by()
        .annotate(statistics_group=group_expr, statistics_d=duration)
        .values_list("statistics_group", "statistics_d")
    )
    inner_sql, params = inner.query.sql_with_params()
    # Integer division: (n − 1) * 5 / 10 is floor(0.5 × (n − 1)), (n − 1) * 9 / 10 is
    # floor(0.9 × (n − 1)); each percentile needs that row and the next.
    sql = f"""
        SELECT g, n, rn, d FROM (
            SELECT s.statistics_group AS g, s.statistics_d AS d,
                   ROW_NUMBER() OVER (
                       PARTITION BY s.statistics_group ORDER BY s.statistics_d
                   ) - 1 AS rn,
                   COUNT(*) OVER (PARTITION BY s.statistics_group) AS n
            FROM ({inner_sql}) AS s
        ) AS ranked
        WHERE (rn >= (n - 1) * 5 / 10 AND rn <= (n - 1) * 5 / 10 + 1)
           OR (rn >= (n - 1) * 9 / 10 AND rn <= (n - 1) * 9 / 10 + 1)
        ORDER BY g, rn
    """  # noqa: S608 (the inner query is the ORM's, with its parameters kept apart)
    picked: dict[Hashable, dict[int, timedelta]] = {}
    sizes: dict[Hashable, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for raw_group, n, rn, d in cursor.fetchall():
            key = _group_key(raw_group) if grouped is not None else None
            sizes[key] = int(n)
            picked.setdefault(key, {})[int(rn)] = _as_duration(d)
    return {
        key: Percentiles(
            count=sizes[key],
            median=_interpolate(values, sizes[key], MEDIAN),
            p90=_interpolate(values, sizes[key], P90),
        )
        for key, values in picked.items()
    }


def _interpolate(values: dict[int, timedelta], n: int, fraction: float) -> timedelta:
    """percentile_cont: the value at position fraction × (n − 1), linear between rows."""
    position = fraction * (n - 1)
    # The same floor as the SQL's integer division (no floating-point surprise at .5).
    low = (n - 1) * round(fraction * 10) // 10
    weight = position - low
    lower = values[low]
    if weight <= 0 or low + 1 not in values:
        return lower
    return lower + (values[low + 1] - lower) * weight
