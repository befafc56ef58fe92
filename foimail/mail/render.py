"""Mail bodies from Jinja2 templates: `<audience>/<event>.txt.j2`, with an optional `.html.j2` twin."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Final

import jinja2

from foimail.core.commands import COMMAND_USAGE, GROUND_WORDS
from foimail.core.labels import label

# Nominative month names: the Georgian long date is "2026 წლის 3 დეკემბერი".
KA_MONTHS: Final = (
    "იანვარი",
    "თებერვალი",
    "მარტი",
    "აპრილი",
    "მაისი",
    "ივნისი",
    "ივლისი",
    "აგვისტო",
    "სექტემბერი",
    "ოქტომბერი",
    "ნოემბერი",
    "დეკემბერი",
)
# Dative month names, for a date in running text: "2026 წლის 3 დეკემბერს გაეგზავნა".
KA_MONTHS_DATIVE: Final = (
    "იანვარს",
    "თებერვალს",
    "მარტს",
    "აპრილს",
    "მაისს",
    "ივნისს",
    "ივლისს",
    "აგვისტოს",
    "სექტემბერს",
    "ოქტომბერს",
    "ნოემბერს",
    "დეკემბერს",
)
EN_MONTHS: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def ka_date(value: date) -> str:
    """`2026 წლის 3 დეკემბერი`; a datetime is shown as its own calendar date, never converted."""
    return f"{value.year} წლის {value.day} {KA_MONTHS[value.month - 1]}"


def ka_date_dative(value: date) -> str:
    """`2026 წლის 3 დეკემბერს`: the date on which something happens, inside a sentence."""
    return f"{value.year} წლის {value.day} {KA_MONTHS_DATIVE[value.month - 1]}"


def en_date(value: date) -> str:
    """`3 December 2026`."""
    return f"{value.day} {EN_MONTHS[value.month - 1]} {value.year}"


def _autoescape(template_name: str | None) -> bool:
    return template_name is not None and template_name.endswith(".html.j2")


class TemplateRenderer:
    """Renders the templates under one directory; a missing variable is an error, never an empty string."""

    def __init__(self, template_dir: Path) -> None:
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(template_dir),
            undefined=jinja2.StrictUndefined,
            autoescape=_autoescape,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self._env.filters["ka_date"] = ka_date
        self._env.filters["ka_date_dative"] = ka_date_dative
        self._env.filters["en_date"] = en_date
        self._env.filters["ka"] = lambda value, group: label(value, group, "ka")
        self._env.filters["en"] = lambda value, group: label(value, group, "en")
        # What the officers' help shows comes from the parser's own tables, so the two cannot drift apart.
        self._env.globals["COMMANDS"] = COMMAND_USAGE
        self._env.globals["GROUND_WORDS"] = GROUND_WORDS

    def render(self, name: str, **context: object) -> str:
        """Render template `name` (path relative to the template directory).

        Raises jinja2.TemplateNotFound, jinja2.UndefinedError or jinja2.TemplateSyntaxError.
        """
        return self._env.get_template(name).render(**context)

    def render_pair(self, audience: str, event: str, **context: object) -> tuple[str, str | None]:
        """(text, html) for one event: the html is None when `<audience>/<event>.html.j2` does not exist."""
        text = self.render(f"{audience}/{event}.txt.j2", **context)
        html_name = f"{audience}/{event}.html.j2"
        try:
            html_template = self._env.get_template(html_name)
        except jinja2.TemplateNotFound as exc:
            if exc.name != html_name:  # the html template exists but extends or imports a missing one
                raise
            return text, None
        return text, html_template.render(**context)
