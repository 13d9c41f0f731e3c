"""The median and 90th percentile of a duration, overall and per group, computed by the
database.

PostgreSQL has the ordered-set aggregate ``percentile_cont``: one query with
``GROUP BY GROUPING SETS ((), (g1), (g2), …)`` gives the overall figures and every breakdown in
a single pass over the rows. Other databases (SQLite) number each group's rows in order with
window functions and return only the two rows around each percentile's position, one query per
breakdown; the interpolation between them is ``percentile_cont``'s (position ``p × (n − 1)``,
linear between the neighbours), so both give the same figures
(``tests/statistics/test_percentiles.py`` compares them on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Expression, F, QuerySet, Value

MEDIAN = 0.5
P90 = 0.9
OVERALL = ""

GroupExpression = Expression | F


@dataclass(frozen=True)
class Percentiles:
    count: int
    median: timedelta
    p90: timedelta


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


def _inner_sql(
    rows: QuerySet[Any], groups: Mapping[str, GroupExpression], duration: Expression
) -> tuple[str, tuple[Any, ...], list[str]]:
    """The ORM's query of the rows, selecting each group's value and the duration, as SQL."""
    names = [f"statistics_g{index}" for index in range(len(groups))]
    annotations: dict[str, Any] = dict(zip(names, groups.values(), strict=True))
    inner = (
        rows.order_by()
        .annotate(**annotations, statistics_d=duration)
        .values_list(*names, "statistics_d")
    )
    sql, params = inner.query.sql_with_params()
    return sql, tuple(params), names


def percentiles(
    rows: QuerySet[Any],
    *,
    duration: Expression,
    groups: Mapping[str, GroupExpression] | None = None,
    window: bool = False,
) -> dict[str, dict[Hashable, Percentiles]]:
    """Median and 90th percentile of ``duration`` over ``rows``: overall (``result[OVERALL]``,
    keyed ``None``) and per value of each named group (``result[name][value]``). Groups with
    no row are absent. ``window=True`` uses the portable method even on PostgreSQL (the tests
    compare both)."""
    groups = dict(groups or {})
    result: dict[str, dict[Hashable, Percentiles]] = {OVERALL: {}, **{name: {} for name in groups}}
    if rows.query.is_empty():
        return result
    if connection.vendor == "postgresql" and not window:
        return _grouping_sets(rows, groups, duration, result)
    result[OVERALL] = _by_window(rows, Value(0), duration, grouped=False)
    for name, expression in groups.items():
        result[name] = _by_window(rows, expression, duration, grouped=True)
    return result


def _grouping_sets(
    rows: QuerySet[Any],
    groups: dict[str, GroupExpression],
    duration: Expression,
    result: dict[str, dict[Hashable, Percentiles]],
) -> dict[str, dict[Hashable, Percentiles]]:
    inner_sql, params, names = _inner_sql(rows, groups, duration)
    sets = ", ".join(["()", *(f"(s.{name})" for name in names)])
    flags = "".join(f", GROUPING(s.{name})" for name in names)
    columns = "".join(f", s.{name}" for name in names)
    sql = f"""
        SELECT COUNT(*),
               PERCENTILE_CONT({MEDIAN!r}) WITHIN GROUP (ORDER BY s.statistics_d),
               PERCENTILE_CONT({P90!r}) WITHIN GROUP (ORDER BY s.statistics_d)
               {flags}{columns}
        FROM ({inner_sql}) AS s
        GROUP BY GROUPING SETS ({sets})
    """  # noqa: S608 (the inner query is the ORM's, its parameters kept apart)
    group_names = list(groups)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            count, median, p90 = row[:3]
            if not count:
                continue  # the grand total of no row at all
            flags_of_row = row[3 : 3 + len(names)]
            values = row[3 + len(names) :]
            figures = Percentiles(
                count=int(count), median=_as_duration(median), p90=_as_duration(p90)
            )
            # GROUPING(x) is 0 for the column the row is grouped by, 1 for the others.
            grouped_by = [i for i, flag in enumerate(flags_of_row) if flag == 0]
            if not grouped_by:
                result[OVERALL][None] = figures
            else:
                index = grouped_by[0]
                result[group_names[index]][_group_key(values[index])] = figures
    return result


def _by_window(
    rows: QuerySet[Any], expression: GroupExpression, duration: Expression, *, grouped: bool
) -> dict[Hashable, Percentiles]:
    inner_sql, params, names = _inner_sql(rows, {"g": expression}, duration)
    # Integer division: (n − 1) * 5 / 10 is floor(0.5 × (n − 1)), (n − 1) * 9 / 10 is
    # floor(0.9 × (n − 1)); each percentile needs that row and the next.
    sql = f"""
        SELECT g, n, rn, d FROM (
            SELECT s.{names[0]} AS g, s.statistics_d AS d,
                   ROW_NUMBER() OVER (
                       PARTITION BY s.{names[0]} ORDER BY s.statistics_d
                   ) - 1 AS rn,
                   COUNT(*) OVER (PARTITION BY s.{names[0]}) AS n
            FROM ({inner_sql}) AS s
        ) AS ranked
        WHERE (rn >= (n - 1) * 5 / 10 AND rn <= (n - 1) * 5 / 10 + 1)
           OR (rn >= (n - 1) * 9 / 10 AND rn <= (n - 1) * 9 / 10 + 1)
        ORDER BY g, rn
    """  # noqa: S608 (the inner query is the ORM's, its parameters kept apart)
    picked: dict[Hashable, dict[int, timedelta]] = {}
    sizes: dict[Hashable, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for raw_group, n, rn, d in cursor.fetchall():
            key = _group_key(raw_group) if grouped else None
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
