"""TemplateRenderer against a template directory written by each test."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import jinja2
import pytest

from foimail.mail.render import TemplateRenderer, en_date, ka_date, ka_date_dative


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    files = {
        "requester/confirmation.txt.j2": (
            "{{ requester_name }}, თქვენი მოთხოვნა {{ case_number }} რეგისტრირებულია\n"
            "{{ registered | ka_date }}.\n"
            "{% if due_date %}\n"
            "პასუხის ვადა: {{ due_date | ka_date }} ({{ due_date | en_date }}).\n"
            "{% endif %}\n"
            "    {% for item in items %}\n"
            "- {{ item }}\n"
            "    {% endfor %}\n"
        ),
        "requester/confirmation.html.j2": "<p>{{ requester_name }}: {{ case_number }}</p>\n",
        "requester/confirmation.subject.j2": "[{{ case_number }}] {{ subject }}",
        "officer/reminder.txt.j2": "{{ requester_name }} <{{ case_number }}>\n",
        "officer/broken.txt.j2": "ok\n",
        "officer/broken.html.j2": "{% include 'officer/missing.html.j2' %}\n",
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


CONTEXT: dict[str, object] = {
    "requester_name": "ნინო <ბერიძე>",
    "case_number": "FOI-2026-00042",
    "registered": date(2026, 2, 3),
    "due_date": date(2026, 2, 17),
    "items": ["ბიუჯეტი", "შესყიდვები"],
    "subject": "a & b",
}


def test_render_pair_with_html(templates: Path) -> None:
    text, html = TemplateRenderer(templates).render_pair("requester", "confirmation", **CONTEXT)
    assert text == (
        "ნინო <ბერიძე>, თქვენი მოთხოვნა FOI-2026-00042 რეგისტრირებულია\n"
        "2026 წლის 3 თებერვალი.\n"
        "პასუხის ვადა: 2026 წლის 17 თებერვალი (17 February 2026).\n"
        "- ბიუჯეტი\n"
        "- შესყიდვები\n"
    )  # trim_blocks and lstrip_blocks leave no blank lines for the tags; the final newline is kept
    assert html == "<p>ნინო &lt;ბერიძე&gt;: FOI-2026-00042</p>\n"  # autoescaped: .html.j2


def test_render_pair_without_html(templates: Path) -> None:
    text, html = TemplateRenderer(templates).render_pair("officer", "reminder", **CONTEXT)
    assert text == "ნინო <ბერიძე> <FOI-2026-00042>\n"  # plain text is never escaped
    assert html is None


def test_render_single_template(templates: Path) -> None:
    subject = TemplateRenderer(templates).render("requester/confirmation.subject.j2", **CONTEXT)
    assert subject == "[FOI-2026-00042] a & b"


def test_missing_variable_is_an_error(templates: Path) -> None:
    with pytest.raises(jinja2.UndefinedError):
        TemplateRenderer(templates).render_pair("officer", "reminder", requester_name="x")


def test_missing_text_template_is_an_error(templates: Path) -> None:
    with pytest.raises(jinja2.TemplateNotFound):
        TemplateRenderer(templates).render_pair("officer", "nothing", **CONTEXT)


def test_html_template_with_a_missing_include_is_not_mistaken_for_no_html(templates: Path) -> None:
    with pytest.raises(jinja2.TemplateNotFound, match="missing"):
        TemplateRenderer(templates).render_pair("officer", "broken", **CONTEXT)


def test_names_cannot_leave_the_template_directory(templates: Path) -> None:
    (templates.parent / "secret.txt.j2").write_text("secret", encoding="utf-8")
    with pytest.raises(jinja2.TemplateNotFound):
        TemplateRenderer(templates).render_pair("..", "secret")


MONTHS = [
    (1, "იანვარი", "იანვარს", "January"),
    (2, "თებერვალი", "თებერვალს", "February"),
    (3, "მარტი", "მარტს", "March"),
    (4, "აპრილი", "აპრილს", "April"),
    (5, "მაისი", "მაისს", "May"),
    (6, "ივნისი", "ივნისს", "June"),
    (7, "ივლისი", "ივლისს", "July"),
    (8, "აგვისტო", "აგვისტოს", "August"),
    (9, "სექტემბერი", "სექტემბერს", "September"),
    (10, "ოქტომბერი", "ოქტომბერს", "October"),
    (11, "ნოემბერი", "ნოემბერს", "November"),
    (12, "დეკემბერი", "დეკემბერს", "December"),
]


@pytest.mark.parametrize(("month", "ka", "ka_dative", "en"), MONTHS)
def test_date_filters(month: int, ka: str, ka_dative: str, en: str) -> None:
    assert ka_date(date(2026, month, 3)) == f"2026 წლის 3 {ka}"
    assert ka_date_dative(date(2026, month, 3)) == f"2026 წლის 3 {ka_dative}"  # "... 3 დეკემბერს გაეგზავნა"
    assert en_date(date(2026, month, 3)) == f"3 {en} 2026"


def test_date_filters_take_a_datetime_as_its_own_calendar_date() -> None:
    late_evening = datetime(2026, 12, 3, 23, 30, tzinfo=timezone(timedelta(hours=4)))
    assert ka_date(late_evening) == "2026 წლის 3 დეკემბერი"
    assert en_date(late_evening) == "3 December 2026"
