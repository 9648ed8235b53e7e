"""English and Simplified Chinese for the node's pages, from Babel message catalogues.

Messages are written in English in the templates (`_("Sign in")`) and in Python
(`i18n.translate("…", locale)`); `make messages` extracts them into
fedihub/translations/messages.pot and merges them into each language's `.po`, which is kept in the
repository. A catalogue is compiled in memory the first time a process needs it (no `.mo` file, so
a fresh clone, an editable install and a wheel all work without a build step).

The locale is the signed-in user's `locale`, else `?lang=`, else the visitor's choice from the
language switch (kept in the session), else the Accept-Language header, else English. Dates,
numbers and relative times are formatted by Babel for that locale.
"""

from __future__ import annotations

import datetime as dt
import gettext
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from io import BytesIO
from typing import Any

from babel import Locale, dates, numbers
from babel.messages import mofile, pofile
from quart import request, session

from fedihub import models
from fedihub.errors import FedihubError

LOCALES = ("en", "zh")
DEFAULT = "en"
# the codes accounts store (Mastodon's ISO 639-1 `language`) → what pages declare and format in
HTML_LANG = {"en": "en", "zh": "zh-CN"}
_BABEL = {"en": "en", "zh": "zh_Hans_CN"}
LANGUAGE_NAMES = {"en": "English", "zh": "中文"}
SESSION_KEY = "lang"
CATALOGUE_PACKAGE = "fedihub.translations"
DOMAIN = "messages"


def N_(message: str) -> str:
    """Marks an English message for extraction where it is only translated later."""
    return message


# English public messages of the account services, translated when a page shows them
SERVICE_MESSAGES = (
    N_("the two passwords differ"),
    N_("the two new passwords differ"),
    N_("an invitation code is needed to register here"),
    N_("this invitation code is not valid"),
    N_("this invitation code is used up"),
    N_("registrations are closed on this node"),
    N_("password is too easy to guess"),
    N_("password must not contain the username"),
    N_("password must not contain the e-mail address"),
    N_("an account with this e-mail address exists already"),
    N_("the username or e-mail address is taken"),
    N_("the current password is wrong"),
    N_("the avatar must be a PNG, JPEG, GIF or WebP image"),
    N_("the header must be a PNG, JPEG, GIF or WebP image"),
    N_("each link needs both a name and a URL"),
    N_("the form has expired or did not come from this site; reload it and try again"),
    # the error pages' own messages (app.py)
    N_("Record not found"),
    N_("Method not allowed"),
    N_("Payload too large"),
    N_("internal error"),
)

# which label names a field in an error message
_FIELD_LABELS = {
    "username": N_("Username"),
    "email": N_("E-mail address"),
    "password": N_("Password"),
    "password_confirmation": N_("Confirm password"),
    "invite_code": N_("Invitation code"),
    "display_name": N_("Display name"),
    "bio": N_("Bio"),
    "avatar": N_("Avatar"),
    "header": N_("Header image"),
    "affiliation": N_("Affiliation"),
    "research_areas": N_("Research areas"),
    "links": N_("Links"),
    "locale": N_("Language"),
    "current_password": N_("Current password"),
    "status": N_("Text"),
    "spoiler_text": N_("Content warning"),
    "visibility": N_("Visibility"),
    "media": N_("Media"),
}


@lru_cache(maxsize=len(LOCALES))
def catalogue(locale: str) -> gettext.NullTranslations:
    """The compiled catalogue of `locale` (English is the source language: no catalogue)."""
    if locale not in LOCALES or locale == DEFAULT:
        return gettext.NullTranslations()
    source = resources.files(CATALOGUE_PACKAGE) / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    with source.open("rb") as handle:
        parsed = pofile.read_po(handle, locale=_BABEL[locale], domain=DOMAIN)
    compiled = BytesIO()
    # fuzzy entries are guesses of `pybabel update`, not translations: English until reviewed
    mofile.write_mo(compiled, parsed, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def translate(message: str, locale: str, **values: Any) -> str:
    """`message` in `locale` (English where no translation exists), {placeholders} filled in."""
    text = catalogue(locale).gettext(message)
    return text.format(**values) if values else text


def translate_plural(singular: str, plural: str, count: int, locale: str, **values: Any) -> str:
    text = catalogue(locale).ngettext(singular, plural, count)
    return text.format(count=count, **values)


def babel_locale(locale: str) -> Locale:
    return Locale.parse(_BABEL.get(locale, _BABEL[DEFAULT]))


def format_datetime(moment: dt.datetime, locale: str) -> str:
    return dates.format_datetime(moment, format="medium", locale=babel_locale(locale))


def format_ago(moment: dt.datetime, locale: str, now: dt.datetime | None = None) -> str:
    """'3 minutes ago' / '3分钟前'."""
    now = now or dt.datetime.now(dt.UTC)
    return dates.format_timedelta(
        moment - now, add_direction=True, threshold=1.1, locale=babel_locale(locale)
    )


def format_number(value: int, locale: str) -> str:
    return numbers.format_decimal(value, locale=babel_locale(locale))


def template_helpers(locale: str) -> dict[str, Callable[..., str]]:
    """What templates call: `_`, `ngettext`, and the locale's date and number formats."""

    def _(message: str, **values: Any) -> str:
        return translate(message, locale, **values)

    def ngettext(singular: str, plural: str, count: int, **values: Any) -> str:
        return translate_plural(singular, plural, count, locale, **values)

    return {
        "_": _,
        "gettext": _,
        "ngettext": ngettext,
        "format_datetime": lambda moment: format_datetime(moment, locale),
        "format_ago": lambda moment: format_ago(moment, locale),
        "format_number": lambda value: format_number(value, locale),
    }


def translator(locale: str) -> Callable[..., str]:
    """The `_()` that templates call."""
    return template_helpers(locale)["_"]


def field_label(field: str | None, locale: str) -> str:
    label = _FIELD_LABELS.get(field or "")
    return translate(label, locale) if label else field or ""


def error_text(exc: FedihubError, locale: str) -> str:
    """'Field: message' in the page's language where a translation is known."""
    message = translate(exc.public, locale)
    label = field_label(exc.field, locale)
    separator = "：" if locale == "zh" else ": "
    return f"{label}{separator}{message}" if label else message


def _from_accept_language() -> str | None:
    best = request.accept_languages.best_match(LOCALES)
    return best if best in LOCALES else None


def chosen(value: str | None) -> str | None:
    """A supported locale from what a form or query sent ('zh-CN' → 'zh'), else None."""
    code = (value or "").strip().lower()[:2]
    return code if code in LOCALES else None


def negotiate(user: models.User | None) -> str:
    """The locale of this request: the user's, else ?lang=, else the visitor's switch, else
    Accept-Language, else English."""
    if user is not None and user.locale in LOCALES:
        return user.locale
    return (
        chosen(request.args.get("lang"))
        or chosen(session.get(SESSION_KEY))
        or _from_accept_language()
        or DEFAULT
    )
