# "12 décembre 2026 à 15 h 12": hours without a leading zero, "h" between hours and minutes,
# non-breaking spaces around "h" (Canadian French usage). Other formats are Django's.
DATETIME_FORMAT = "j F Y à G\u00a0\\h\u00a0i"
TIME_FORMAT = "G\u00a0\\h\u00a0i"
SHORT_DATETIME_FORMAT = "Y-m-d G\u00a0\\h\u00a0i"
