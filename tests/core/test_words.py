"""One word per thing (issue 9): the model, the report form, the credit list's filter and a
provider's course form call a format the same, and every key of the engine has a word."""

from __future__ import annotations

from recert.core import words
from recert.core.models import Certification, CreditEntry
from recert.front.forms import CreditForm
from recert.front.views.credits import FilterForm
from recert.providers.forms import CourseForm
from recert.rules import model as rules_model


def test_every_engine_key_has_its_word():
    for keys, vocabulary in ((rules_model.FORMATS, words.FORMATS),
                             (rules_model.UNITS, words.UNITS),
                             (rules_model.OUTCOMES, words.OUTCOMES),
                             (rules_model.STATUSES, words.STATUSES),
                             (rules_model.BLOCKERS, words.BLOCKERS)):
        assert set(keys) <= set(vocabulary), set(keys) - set(vocabulary)


def test_a_format_has_one_name_everywhere():
    model = dict(CreditEntry._meta.get_field("format").choices)
    assert model["online_course"] == "Online course"
    for choices in (CreditForm.base_fields["format"].choices,
                    FilterForm.base_fields["format"].choices,
                    CourseForm.base_fields["format"].choices):
        for key, label in choices:
            if key and key in model:
                assert label == model[key], (key, label)


def test_a_status_has_one_name_everywhere():
    assert dict(Certification.STATUS_CHOICES) == {
        key: words.STATUSES[key] for key in rules_model.STATUSES}


def test_the_two_date_styles():
    from datetime import date

    assert words.mdy(date(2027, 6, 3)) == "06/03/2027"
    assert words.long_date(date(2027, 6, 3)) == "June 3, 2027"
    assert words.mdy(None) == words.long_date(None) == ""
