"""CodeJury: a self-hostable human-feedback studio for code models."""

__version__ = "0.1.0"
