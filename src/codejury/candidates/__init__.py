"""Candidates: the competing responses annotators compare.

Generation backends (``backends``), the mutation engine (``mutation``), pairing into items
(``pairing``) and gold items (``gold``); ``store``, ``generation`` and ``mutants`` are the
database glue.
"""
