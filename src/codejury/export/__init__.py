"""TRL-ready datasets with provenance.

Formatting (``preferences``, ``ratings``, ``spans``, ``splits``, ``writers``, ``card``) takes plain
data and works without a database; ``store`` is the database glue that gathers judgments and
records exports.
"""
