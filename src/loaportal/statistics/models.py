"""The statistics' summary: verification requests counted per DLI and month of request, by
outcome, with a histogram of the time to decide, recomputed by the worker
(``statistics.services.statistics_refresh``). Pages read only this table (and, for what
happens now, the DLIs at risk, indexed live queries): with a million requests a page reads a
few hundred rows instead of scanning the requests (README "Statistics", ADR 0014).

Three scopes hold the same counts at three levels, so that a page reads one level:
``all`` (one row per month), ``province`` (per province and month) and ``dli`` (per DLI and
month). Outcomes are *effective* statuses at ``computed_at``: a pending request past its
deadline is a no response.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The histogram's resolution: a decision that took 3 h 20 min is counted in bucket 3 (3 hours,
# rounded down). Percentiles are exact to the hour; the pages show days to one decimal (2.4
# hours). A finer bucket made the largest DLIs' histograms 4 times longer to read.
BUCKET_SECONDS = 60 * 60


class StatisticsCell(models.Model):
    class Scope(models.TextChoices):
        ALL = "all", _("Every DLI")
        PROVINCE = "province", _("Province or territory")
        DLI = "dli", _("DLI")

    scope = models.CharField(_("Scope"), max_length=8, choices=Scope.choices)
    month = models.DateField(_("Month"))
    # scope "province": the province; scope "dli": the DLI's province at the time of computing.
    province = models.CharField(_("Province or territory"), max_length=2, blank=True)
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("DLI"),
    )
    verified = models.PositiveIntegerField(default=0)
    no_match = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    no_response = models.PositiveIntegerField(default=0)
    pending = models.PositiveIntegerField(default=0)
    # {"<bucket>": count}: how many decisions took bucket × BUCKET_SECONDS (rounded down).
    decision_buckets = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("statistics cell")
        verbose_name_plural = _("statistics cells")
        indexes = [
            models.Index(fields=["scope", "month"], name="statistics_cell_month"),
            models.Index(fields=["scope", "province", "month"], name="statistics_cell_province"),
            models.Index(fields=["scope", "institution", "month"], name="statistics_cell_dli"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(scope="all", institution__isnull=True, province="")
                    | models.Q(scope="province", institution__isnull=True)
                    | models.Q(scope="dli", institution__isnull=False)
                ),
                name="statistics_cell_scope_shape",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.month:%Y-%m} {self.province} {self.institution_id or ''}"


class StatisticsRefresh(models.Model):
    """One row: when the summary was last recomputed, and the lock that lets only one worker
    recompute it at a time (``SELECT … FOR UPDATE``)."""

    refreshed_at = models.DateTimeField(_("Recent months recomputed"), null=True, blank=True)
    fully_refreshed_at = models.DateTimeField(_("Every month recomputed"), null=True, blank=True)

    class Meta:
        verbose_name = _("statistics refresh")
        verbose_name_plural = _("statistics refreshes")

    def __str__(self) -> str:
        return f"{self.refreshed_at} / {self.fully_refreshed_at}"


class StatisticsRecentDli(models.Model):
    """Per DLI, its requests whose deadline passed in the last ``STATISTICS_AT_RISK_DAYS`` days
    and how many of them got no response, as of ``computed_at``: the "high no-response rate"
    half of the DLIs at risk, kept by the worker with the summary (the other half, requests
    due soon, is read live)."""

    institution = models.OneToOneField(
        "institutions.Institution",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("DLI"),
    )
    closed = models.PositiveIntegerField(default=0)
    no_response = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("recent deadlines of a DLI")
        verbose_name_plural = _("recent deadlines of the DLIs")

    def __str__(self) -> str:
        return f"{self.institution_id}: {self.no_response}/{self.closed}"
