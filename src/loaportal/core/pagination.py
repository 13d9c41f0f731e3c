"""Pages of a long list that cost the same on page 1 and on page 2,000.

Django's ``Paginator`` fetches a page as ``OFFSET n LIMIT 25`` on the full query: PostgreSQL
builds (joins included) and throws away the ``n`` rows before the page. ``DeferredJoinPaginator``
finds the page's keys first, in a subquery that only reads the index the list is sorted by,
and joins the full rows for those keys alone, in the same single query (a "deferred join")::

    SELECT … FROM request LEFT JOIN user … WHERE request.id IN (
        SELECT id FROM request WHERE … ORDER BY due_at DESC, id DESC LIMIT 25 OFFSET 46000
    ) ORDER BY due_at DESC, id DESC

Same pages, same page numbers and addresses, same number of queries (the count, then the page).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

if TYPE_CHECKING:
    _Paginator = Paginator[Any]
else:  # Django's Paginator takes no type parameter at run time
    _Paginator = Paginator


class DeferredJoinPaginator(_Paginator):
    """A ``Paginator`` over an ordered queryset whose pages are fetched by a deferred join."""

    object_list: QuerySet[Any]

    def page(self, number: Any) -> Page[Any]:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        keys = rows.values("pk")[bottom:top]
        # The outer query filters on the keys alone (the list's own conditions are in the
        # subquery): PostgreSQL then fetches the page's rows by primary key.
        page = rows.model._default_manager.filter(pk__in=keys).order_by(*rows.query.order_by)
        page.query.select_related = rows.query.select_related
        page = page.prefetch_related(*getattr(rows, "_prefetch_related_lookups", ()))
        return Page(list(page), number, self)
