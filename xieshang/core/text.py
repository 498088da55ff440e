"""Free text typed by people: the one normaliser, the length limits, and the field types that apply them.

Every free-text field of every app (a title, a body, a reason, a comment, a note …) has a maximum length
and is normalised once, at input, by the same function:

    clean(text)                      # "\\r\\n" and "\\r" become "\\n"; other control characters go
    clean(text, single_line=True)    # also: every line break (and the whitespace around it) is one space

What `clean` drops: the C0 control characters except tab and line feed (U+0000–U+001F: "\\u0013",
"\\u000b" …, which Word documents and e-mail headers cannot carry), DEL, the lone surrogates a JSON body
may smuggle in ("\\ud800"), and U+FFFE / U+FFFF (not characters). Everything else is kept as typed.

The limits (characters, not bytes) are the constants below. Apps name their fields with them:

    class EditInput(Schema):                      # a ninja / pydantic schema (API and action inputs)
        title: Text(TITLE_MAX, required=True, single_line=True)
        body: Text(BODY_MAX, strip=False)

    class ProposalForm(forms.Form):               # a Django form
        title = text_field(TITLE_MAX, label=_("Subject"), single_line=True)
        body = text_field(BODY_MAX, label=_("Text"), required=False, widget=forms.Textarea)

`Text` cleans the text and checks its length (a 9 MB body is refused in a few milliseconds: 422 "At most
50000 characters."); `text_field` does the same in a form, which shows the message next to the field and
keeps what was typed. A request body above
DATA_UPLOAD_MAX_MEMORY_SIZE never reaches a schema: the API answers 413 (xieshang.api.errors).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from django import forms
from pydantic import BeforeValidator, StringConstraints

# --- The limits (characters) ----------------------------------------------------------------------

TITLE_MAX = 200  # a subject or title (proposals; opinion reports have their own, shorter TITLE_LIMIT)
NAME_MAX = 100  # a name, a topic, a signature line
COMMENT_MAX = 2_000  # a reason, a comment, a note, an instruction
TEXT_MAX = 10_000  # a longer text that is not the main body (views, summaries)
BODY_MAX = 50_000  # the body of a proposal or a report, a reply's text

# --- The normaliser -------------------------------------------------------------------------------

_DROP = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_BREAKS = re.compile(r"[ \t\u3000]*(?:\r\n|\r|\n)[ \t\u3000\r\n]*")


def clean(text, *, single_line: bool = False) -> str:
    """`text` as it is stored: line breaks as "\\n", without the control characters and non-characters
    listed in the module's docstring; with `single_line`, every line break (and the blanks around it)
    is one space. None is ""."""
    if text is None:
        return ""
    text = str(text)
    if single_line:
        text = _BREAKS.sub(" ", text)
    elif "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _DROP.sub("", text)


def single_line(text) -> str:
    """`text` on one line, without control characters, stripped: an e-mail subject, a header value."""
    return clean(text, single_line=True).replace("\t", " ").strip()


# --- The pydantic type (ninja schemas, action inputs) ----------------------------------------------


def Text(max_length: int, *, required: bool = False, strip: bool = True, single_line: bool = False) -> Any:  # noqa: N802
    """A str of at most `max_length` characters, cleaned (`clean`), stripped unless `strip=False`;
    "" when not given (None). Over the limit: string_too_long (422 "At most %(n)d characters."); required
    and nothing but blanks: string_too_short with min_length 1 ("This field is required.")."""

    def normalise(value):
        if value is None:
            return ""
        value = clean(value if isinstance(value, str) else str(value), single_line=single_line)
        return value.strip() if strip else value

    return Annotated[str, StringConstraints(min_length=1 if required else None, max_length=max_length),
                     BeforeValidator(normalise)]


# --- The form field ----------------------------------------------------------------------------------


class CleanTextField(forms.CharField):
    """A CharField whose value is `clean`ed (after the length check of the text as typed)."""

    def __init__(self, *, single_line: bool = False, **kwargs):
        self.single_line = single_line
        super().__init__(**kwargs)

    def to_python(self, value):
        value = clean(super().to_python(value), single_line=self.single_line)  # then required, max_length
        return value.strip() if self.strip else value


def text_field(max_length: int, *, single_line: bool = False, **kwargs) -> CleanTextField:
    """A form field for free text of at most `max_length` characters, normalised as `Text`."""
    return CleanTextField(max_length=max_length, single_line=single_line, **kwargs)


__all__ = [
    "BODY_MAX", "COMMENT_MAX", "NAME_MAX", "TEXT_MAX", "TITLE_MAX", "CleanTextField", "Text", "clean",
    "single_line", "text_field",
]
