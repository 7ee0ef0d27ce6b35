import pytest

from codejury.web.pages.common import redirect


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/me", "/me?notice=saved"),
        ("/me?tab=pay", "/me?tab=pay&notice=saved"),
        ("/me#opt-ins", "/me?notice=saved#opt-ins"),
        ("/me/reviews?x=1#miss-7", "/me/reviews?x=1&notice=saved#miss-7"),
    ],
)
def test_the_notice_goes_into_the_query_never_after_the_fragment(path: str, location: str) -> None:
    response = redirect(path, "saved")
    assert response.status_code == 303
    assert response.headers["location"] == location


def test_evidence_reads_as_words_without_missing_facts() -> None:
    from codejury.web.filters import evidence

    facts = {"median_seconds": 0.006741, "judgments": 5, "peer_cutoff": None, "ids": [3, 4]}
    assert evidence(facts) == "median seconds 0.00674, judgments 5, ids 3 4"
    assert evidence(None) == ""
