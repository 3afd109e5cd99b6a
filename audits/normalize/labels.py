"""Metadata labels as printed on a page, reduced to the document field they name.

Portals print the same field under many names (发文日期 / 成文日期 / 生成日期) and pad labels
with full-width spaces, &nbsp; and colons of either width ("索　引　号：").  Matching on the
squeezed label against one synonym table keeps every CMS dialect on one code path; the table
(`crawler/metadata_labels.yml`) is the single place to add a new variant.
"""
from __future__ import annotations

from crawler.labels import SPACE, field_synonyms, normalise_label

_SPACE = SPACE

# The synonym table is data: crawler/metadata_labels.yml, shared with the spiders' detail reader.
FIELD_SYNONYMS: dict[str, tuple[str, ...]] = field_synonyms()

LABEL_TO_FIELD: dict[str, str] = {
    label: field for field, labels in FIELD_SYNONYMS.items() for label in labels
}

# The first label of each field is the one messages use ("发文日期 '2023-13-45' is not a date").
CANONICAL_LABEL: dict[str, str] = {field: labels[0] for field, labels in FIELD_SYNONYMS.items()}


def squeeze(text: str | None) -> str:
    """Drop every kind of whitespace: Chinese labels and values carry no meaningful spaces."""
    return _SPACE.sub("", text or "")


def collapse(text: str | None) -> str:
    """Runs of whitespace (any width) become one ASCII space; ends are trimmed."""
    return _SPACE.sub(" ", text or "").strip()


def field_for(label: str | None) -> str | None:
    """The document field a printed label names, or None when it names none we keep."""
    return LABEL_TO_FIELD.get(normalise_label(label))


def clean_value(value: str | None) -> str | None:
    """A printed value with its padding removed; an empty value is None (rules decide on it)."""
    text = collapse(value).strip("：:").strip()
    return text or None
