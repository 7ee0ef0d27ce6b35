"""The web app: REST API (``/api/v1``), annotator and manager pages, one error mapping."""
