import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from codejury.db.models import AuditEvent, PayRate
from codejury.errors import Conflict, InvalidInput, NotFound
from codejury.projects import (
    DEFAULT_RUBRIC,
    create_project,
    current_guidelines,
    current_rubric,
    get_project,
    update_guidelines,
    update_rubric,
    update_settings,
)


def test_create_project_has_defaults_and_version_one(db: Session) -> None:
    project = create_project(db, "demo")
    assert (project.mode, project.overlap, project.gold_rate) == ("pairwise", 3, 0.1)
    assert current_guidelines(db, project).version == 1
    rubric = current_rubric(db, project)
    assert [c["name"] for c in rubric.criteria] == [c["name"] for c in DEFAULT_RUBRIC]
    assert [c["name"] for c in rubric.criteria] == [
        "correctness",
        "helpfulness",
        "readability",
        "security",
    ]
    rate = db.scalar(select(PayRate).where(PayRate.project_id == project.id))
    assert rate is not None and str(rate.hourly_floor) == "12.0000"


def test_duplicate_slug_conflicts(db: Session) -> None:
    create_project(db, "demo")
    with pytest.raises(Conflict):
        create_project(db, "demo")


def test_bad_settings_name_each_problem(db: Session) -> None:
    with pytest.raises(InvalidInput) as err:
        create_project(db, "x", mode="triples", overlap=0, gold_rate=0.9)
    text = "\n".join(err.value.problems)
    assert "mode:" in text and "overlap:" in text and "gold_rate:" in text


def test_bad_slug_refused(db: Session) -> None:
    with pytest.raises(InvalidInput, match="slug"):
        create_project(db, "Has Spaces")


def test_guideline_edit_makes_a_new_version_and_is_audited(db: Session) -> None:
    project = create_project(db, "demo")
    row = update_guidelines(db, project, "# New rules\n")
    assert row.version == 2
    assert current_guidelines(db, project).body == "# New rules\n"
    assert (
        update_guidelines(db, project, "# New rules\n").version == 2
    )  # unchanged text: no new version
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.project_id == project.id)).all()
    assert actions.count("project.guidelines") == 1


def test_rubric_versions_and_validation(db: Session) -> None:
    project = create_project(db, "demo")
    assert update_rubric(db, project, [{"name": "correctness", "min": 1, "max": 7}]).version == 2
    with pytest.raises(InvalidInput) as err:
        update_rubric(db, project, [{"name": "Bad Name"}, {"name": "x", "min": 3, "max": 3}])
    assert any("rubric[0]: name" in p for p in err.value.problems)
    assert any("rubric[1]" in p for p in err.value.problems)


def test_publish_requires_purpose_card_and_contact(db: Session) -> None:
    project = create_project(db, "demo")
    with pytest.raises(InvalidInput) as err:
        update_settings(db, project, status="published")
    assert "contact: required to publish" in err.value.problems
    purpose = {
        "uses": "reward model",
        "users": "the team",
        "retention": "2 years",
        "publishable": False,
    }
    update_settings(db, project, status="published", purpose=purpose, contact="help@example.org")
    assert get_project(db, "demo").status == "published"


def test_unknown_project_is_not_found(db: Session) -> None:
    with pytest.raises(NotFound, match="nope"):
        get_project(db, "nope")
