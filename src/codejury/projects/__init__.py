"""Projects: settings, versioned guidelines and rubric."""

from codejury.projects.service import (
    DEFAULT_RUBRIC,
    create_project,
    current_guidelines,
    current_rubric,
    get_project,
    list_projects,
    update_guidelines,
    update_rubric,
    update_settings,
)

__all__ = [
    "DEFAULT_RUBRIC",
    "create_project",
    "current_guidelines",
    "current_rubric",
    "get_project",
    "list_projects",
    "update_guidelines",
    "update_rubric",
    "update_settings",
]
