import pytest

from codejury.accounts.sessions import client_address

XFF = {"X-Forwarded-For": "203.0.113.9, 10.0.0.5"}


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert client_address("198.51.100.1", XFF, []) == "198.51.100.1"


def test_untrusted_peer_cannot_spoof_its_address() -> None:
    assert client_address("198.51.100.1", XFF, ["10.0.0.0/8"]) == "198.51.100.1"


def test_trusted_peer_gives_the_nearest_untrusted_hop() -> None:
    assert client_address("10.0.0.1", XFF, ["10.0.0.0/8"]) == "203.0.113.9"


def test_spoofed_leftmost_entries_are_not_believed() -> None:
    headers = {"x-forwarded-for": "1.2.3.4, 203.0.113.9"}
    assert client_address("127.0.0.1", headers, ["127.0.0.1"]) == "203.0.113.9"


def test_single_address_and_header_name_case() -> None:
    assert client_address("127.0.0.1", {"x-forwarded-for": "203.0.113.9"}, ["127.0.0.1"]) == (
        "203.0.113.9"
    )


def test_trusted_peer_without_header_is_the_client() -> None:
    assert client_address("10.1.2.3", {}, ["10.0.0.0/8"]) == "10.1.2.3"


def test_unreadable_hop_stops_the_walk() -> None:
    headers = {"X-Forwarded-For": "203.0.113.9, junk"}
    assert client_address("10.0.0.1", headers, ["10.0.0.0/8"]) == "10.0.0.1"


@pytest.mark.parametrize(
    ("hop", "expected"),
    [("[2001:db8::1]:443", "2001:db8::1"), ("203.0.113.9:5000", "203.0.113.9")],
)
def test_ports_and_brackets_are_stripped(hop: str, expected: str) -> None:
    assert client_address("::1", {"X-Forwarded-For": hop}, ["::1"]) == expected


def test_ipv4_mapped_peer_matches_ipv4_network() -> None:
    assert client_address("::ffff:10.0.0.1", XFF, ["10.0.0.0/8"]) == "203.0.113.9"


def test_no_peer_is_unknown() -> None:
    assert client_address(None, XFF, ["10.0.0.0/8"]) == "unknown"
