"""Reports on what the judgments say about the models: leaderboards, weakness slices and the
next-round plan (``docs/reports.md``).

``leaderboard`` and ``weakness`` take plain data in and give plain data out; ``store`` loads the
project's human judgments. Every estimate comes from ``codejury.quality`` (one Bradley–Terry, one
Wilson interval).
"""
