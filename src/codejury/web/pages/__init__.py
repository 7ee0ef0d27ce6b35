"""HTML pages: every module here with a ``router`` is mounted at the root."""
