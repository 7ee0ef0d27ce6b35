"""Tasks: the import format, validation, import/export and statistics."""
