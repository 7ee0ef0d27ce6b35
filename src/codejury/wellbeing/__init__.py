"""Wellbeing and transparency: hour caps, break reminders, sensitive-content opt-ins, the annotator's
dashboard and impact page, the register of automated decisions and the per-project transparency
report.

Plain calculations live in ``hours`` (caps, continuous work), ``sensitive`` (labels and tag
matching) and ``transparency`` (the report's numbers); ``store`` reads the rows they need.
``filters`` registers the eligibility filters (caps and the sensitive-content gate) on import.
Rules and numbers: ``docs/wellbeing.md``.
"""
