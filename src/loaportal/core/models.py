from django.db import models


class RateCounter(models.Model):
    """One rate-limit counter (a key and a time window), for the database-backed cache.

    ``loaportal.core.ratelimit`` counts attempts with one atomic UPSERT per attempt when the
    cache is the database cache (whose ``incr`` is a read then a write, not atomic).
    """

    key = models.CharField(max_length=250, primary_key=True)
    count = models.IntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "rate-limit counter"

    def __str__(self) -> str:
        return f"{self.key}={self.count}"
