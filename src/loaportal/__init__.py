"""LOA Portal: letter-of-acceptance verification for designated learning institutions."""

__version__ = "0.1.0"
