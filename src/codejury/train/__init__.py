"""Reward models and DPO from exported preferences, with TRL.

Each method is a ``*TrainingConfig`` dataclass and a ``train_*`` function (``reward``, ``dpo``);
they take plain data and work without a database. ``store`` records training runs and model scores.
Heavy libraries (torch, transformers, trl, datasets, peft) are imported only inside functions.
"""
