"""foimail: the freedom-of-information mailbox of a Georgian municipality."""

__version__ = "0.1.0"
