"""An edition's host names are its own: malformed or shared ones are refused, and
its colours must read on white."""

import pytest
from django.core.exceptions import ValidationError

from herald.editions.models import Edition, contrast_ratio
from herald.editions.tests.factories import EditionFactory

pytestmark = pytest.mark.django_db


def _errors(edition: Edition) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        edition.full_clean()
    return caught.value.message_dict


def test_host_names_are_one_a_line_lowercased_and_trimmed() -> None:
    edition = EditionFactory.build(
        host_names="  JapanHerald.com\n\nwww.japanherald.com "
    )
    assert edition.hosts == ["japanherald.com", "www.japanherald.com"]


def test_country_codes_are_uppercased_and_blanks_dropped() -> None:
    edition = EditionFactory.build(countries="jp, ,kr")
    assert edition.country_codes == ["JP", "KR"]


def test_a_valid_edition_passes_clean() -> None:
    EditionFactory.create(name="Japan Herald", host_names="japanherald.com")
    EditionFactory.build(name="India Herald", host_names="indiaherald.com").full_clean()


def test_a_host_used_by_another_edition_is_refused_with_its_owner() -> None:
    EditionFactory.create(
        name="Japan Herald", host_names="japanherald.com\nwww.japanherald.com"
    )
    other = EditionFactory.build(
        name="India Herald", host_names="indiaherald.com\nwww.japanherald.com"
    )
    assert _errors(other)["host_names"] == [
        "www.japanherald.com already belongs to Japan Herald."
    ]


def test_a_clash_is_found_whatever_the_case_of_the_host() -> None:
    EditionFactory.create(name="Japan Herald", host_names="japanherald.com")
    other = EditionFactory.build(name="India Herald", host_names="JapanHerald.COM")
    assert _errors(other)["host_names"] == [
        "japanherald.com already belongs to Japan Herald."
    ]


def test_an_edition_saved_again_does_not_clash_with_itself() -> None:
    japan = EditionFactory.create(name="Japan Herald", host_names="japanherald.com")
    japan.tagline = "News from Japan"
    japan.full_clean()


@pytest.mark.parametrize(
    "host", ["japan..com", "-japan.com", "japan_herald.com", "http://x.com"]
)
def test_a_malformed_host_name_is_refused(host: str) -> None:
    edition = EditionFactory.build(host_names=host)
    assert any("is not a host name" in e for e in _errors(edition)["host_names"])


def test_a_pale_colour_is_refused_with_its_contrast() -> None:
    edition = EditionFactory.build(accent_colour="#ffcc00")
    assert _errors(edition)["accent_colour"] == [
        "#ffcc00 has a contrast of 1.5:1 against white; WCAG AA needs 4.5:1."
    ]


def test_contrast_ratio_runs_from_one_to_twenty_one() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#1d3557", "#1d3557") == pytest.approx(1.0)
    assert contrast_ratio("#ffffff", "#000000") == contrast_ratio("#000000", "#ffffff")


def test_active_leaves_out_editions_switched_off() -> None:
    on = EditionFactory.create()
    EditionFactory.create(is_active=False)
    assert list(Edition.objects.active()) == [on]
