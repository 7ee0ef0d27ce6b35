"""The register of automated decisions and flags: what each automatic rule decides, from which
inputs, whether it can affect pay or access, and how to get a person to look at it.

Static data, shown to everyone at ``/decisions`` and ``GET /api/v1/decisions``. A new automatic
rule is added here (a test checks that every anomaly kind and eligibility filter has an entry).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    key: str
    name: str
    decides: str
    inputs: str
    affects_pay: bool
    affects_access: bool
    human_review: str


_FLAG_REVIEW = (
    "A flag only opens a review: a manager reads the evidence and decides. Any decision they take "
    "comes with a reason code, and you can appeal it from My reviews within 7 days."
)
_FLAG = "Raises a flag on your work for a manager to look at. Changes nothing by itself."


def _flag(key: str, name: str, inputs: str) -> Decision:
    return Decision(key, name, _FLAG, inputs, False, False, _FLAG_REVIEW)


REGISTER: tuple[Decision, ...] = (
    _flag(
        "too_fast",
        "Anomaly flag: too fast",
        "Median seconds per judgment (at least 5) against 10 s and against other judges.",
    ),
    _flag(
        "position_bias",
        "Anomaly flag: position bias",
        "How often the first-shown response won, over at least 20 decided votes.",
    ),
    _flag(
        "length_bias",
        "Anomaly flag: length bias",
        "How often the longer response won, against other judges' pooled rate (20+ votes).",
    ),
    _flag(
        "straight_lining",
        "Anomaly flag: straight-lining",
        "The same rubric value on every criterion and response for 20 judgments in a row.",
    ),
    _flag(
        "low_gold_accuracy",
        "Anomaly flag: low gold accuracy",
        "Correct answers on known-answer (gold) items; at least 10, contested ones left out.",
    ),
    _flag(
        "consensus_disagreement",
        "Anomaly flag: disagreement with consensus",
        "How often your label differs from the consensus, against other judges (20+ pairs).",
    ),
    Decision(
        key="auto_approval",
        name="Automatic approval after 21 days",
        decides="Work nobody reviewed within 21 days of the submit is accepted; its piece pay is owed.",
        inputs="The judgment's submit time and review status.",
        affects_pay=True,
        affects_access=False,
        human_review="It can only approve, never reject. A later review of approved work can be "
        "appealed.",
    ),
    Decision(
        key="hour_caps",
        name="Daily and weekly hour caps",
        decides="Stops handing out items once your paid hours today or this week reach your cap.",
        inputs="Paid time of your work events, in your time zone; your caps (default 8 h a day, "
        "40 h a week).",
        affects_pay=False,
        affects_access=True,
        human_review="Work resumes by itself the next day or week. Ask a manager to change your "
        "caps.",
    ),
    Decision(
        key="qualification",
        name="Qualification gate",
        decides="Keeps real work closed until you pass the project's qualification.",
        inputs="Your scored qualification attempts and the project's pass mark.",
        affects_pay=False,
        affects_access=True,
        human_review="Each missed item shows the expected answer and its reason; contest a gold "
        "answer, or ask the project's contact for another attempt.",
    ),
    Decision(
        key="lease_expiry",
        name="Lease expiry",
        decides="An item you hold past its lease goes back to the pool; a later submit is kept "
        "and its time paid, but it is not counted.",
        inputs="The lease's expiry time.",
        affects_pay=False,
        affects_access=False,
        human_review="Nothing to review: the time you reported is paid either way.",
    ),
    Decision(
        key="sensitive_content",
        name="Sensitive-content gate",
        decides="Serves sensitive projects and tasks only to people who opted in to their labels.",
        inputs="Your opt-ins, the project's sensitive flag and warnings, the tasks' tags.",
        affects_pay=False,
        affects_access=True,
        human_review="Change your opt-ins on My work at any time. Skipping a sensitive item is "
        "never penalised.",
    ),
    Decision(
        key="pay_floor_topup",
        name="Pay floor top-up",
        decides="Adds a top-up line so that every statement pays at least the hourly floor.",
        inputs="Your paid hours, the floor in force, your piece pay and bonus.",
        affects_pay=True,
        affects_access=False,
        human_review="It can only add pay. Question a statement through the project's contact.",
    ),
)


def decision_register() -> list[Decision]:
    return list(REGISTER)
