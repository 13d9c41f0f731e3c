"""Pages of a long list that cost the same on page 1 and on page 2,000.

Django's ``Paginator`` fetches a page as ``OFFSET n LIMIT 25`` on the full query: PostgreSQL
builds (joins included) and throws away the ``n`` rows before the page. ``DeferredJoinPaginator``
finds the page's keys first, in a subquery that only reads the index the list is sorted by,
and joins the full rows for those keys alone, in the same single query (a "deferred join")::

    SELECT … FROM request LEFT JOIN user … WHERE request.id IN (
        SELECT id FROM request WHERE … ORDER BY due_at DESC, id DESC LIMIT 25 OFFSET 46000
    ) ORDER BY due_at DESC, id DESC

A page in the second half of the list is read from its other end: the subquery's order is
reversed and its offset counted from the end (``LIMIT 25 OFFSET 475`` instead of ``OFFSET
46000``), so that no page skips more than half the list, and the last pages cost what the
first ones do; the outer query puts the rows back in the list's order. Same rows, same page
numbers and addresses. The order must be total for both ends to agree: a list whose order
does not end with the primary key gets it as the last tie-breaker.

The count may be given (``count=``: a number the caller keeps, such as the queue's tab
counts; ``count_capped=True`` if the caller stopped counting there), which saves its query, or
bounded (``count_limit=``: at most that many matches are counted). When the count is capped,
``count_capped`` says there are more rows, the pages stop at the cap, and every page is read
from the start (the true end is not known).
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

if TYPE_CHECKING:
    _Paginator = Paginator[Any]
else:  # Django's Paginator takes no type parameter at run time
    _Paginator = Paginator


class DeferredJoinPaginator(_Paginator):
    """A ``Paginator`` over an ordered queryset whose pages are fetched by a deferred join,
    from the nearer end of the list."""

    object_list: QuerySet[Any]

    def __init__(
        self,
        object_list: QuerySet[Any],
        per_page: int,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
        *,
        count: int | None = None,
        count_capped: bool = False,
        count_limit: int | None = None,
    ) -> None:
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self._given_count = count
        self.count_limit = count_limit
        # True when more rows match than ``count`` says (the caller counted up to a limit, or
        # ``count_limit`` stopped the count): the pages stop at ``count``.
        self.count_capped = count_capped

    @cached_property
    def count(self) -> int:
        if self._given_count is not None:
            return self._given_count
        if self.count_limit is None:
            return self.object_list.count()
        # COUNT(*) over a subquery that stops after the limit: at most limit + 1 rows read.
        found = self.object_list[: self.count_limit + 1].count()
        if found > self.count_limit:
            self.count_capped = True
            return self.count_limit
        return found

    def _ordering(self) -> list[Any]:
        rows = self.object_list
        ordering = list(rows.query.order_by or rows.model._meta.ordering)
        last = ordering[-1] if ordering else None
        if not isinstance(last, str) or last.lstrip("-") not in ("pk", rows.model._meta.pk.name):
            ordering.append("pk")
        return ordering

    def page(self, number: Any) -> Page[Any]:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ordering = self._ordering()
        rows = self.object_list.order_by(*ordering)
        if not self.count_capped and self.count - top < bottom:
            # Nearer the end: the same rows, counted from the other end in reverse order.
            keys = rows.reverse().values("pk")[self.count - top : self.count - bottom]
        else:
            keys = rows.values("pk")[bottom:top]
        # The outer query filters on the keys alone (the list's own conditions are in the
        # subquery): PostgreSQL then fetches the page's rows by primary key, in the list's order.
        page = rows.model._default_manager.filter(pk__in=keys).order_by(*ordering)
        page.query.select_related = rows.query.select_related
        page = page.prefetch_related(*getattr(rows, "_prefetch_related_lookups", ()))
        return Page(list(page), number, self)
