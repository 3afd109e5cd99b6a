"""The metadata label table (`crawler/metadata_labels.yml`): printed label → document field.

Read once, validated strictly (an unknown shape or a label given to two fields is an error
naming file and line), and shared by the detail reader of every dialect and by
`audits.normalize`, so a new label variant is one line in one file.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

LABELS_FILE = Path(__file__).resolve().parent / "metadata_labels.yml"
# Whitespace of every width a CMS emits, zero-width marks included.
SPACE = re.compile(r"[\s\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
EDGE_PUNCT = "：:﹕︰ 　[]【】〖〗|｜"
# Fields whose labels mark a block of page text as the metadata table.
TABLE_FIELDS = ("index_no", "publisher", "doc_no", "disclosure_mode")


class LabelFileError(ValueError):
    pass


def normalise_label(label: str | None) -> str:
    """'索　引　号：' / ' 索 引 号: ' / '索引号&nbsp;' -> '索引号'."""
    return SPACE.sub("", label or "").strip(EDGE_PUNCT)


@lru_cache(maxsize=4)
def field_synonyms(path: Path = LABELS_FILE) -> dict[str, tuple[str, ...]]:
    """field → labels, in file order; raises LabelFileError with file:line on a bad entry."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise LabelFileError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(root, yaml.MappingNode):
        raise LabelFileError(f"{path}: expected a mapping of field: [label, ...]")
    out: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for key, value in root.value:
        where = f"{path}:{key.start_mark.line + 1}"
        if not isinstance(value, yaml.SequenceNode) or not value.value or \
                not all(isinstance(v, yaml.ScalarNode) and v.value.strip() for v in value.value):
            raise LabelFileError(f"{where}: field '{key.value}' needs a non-empty list of labels")
        labels = tuple(normalise_label(v.value) for v in value.value)
        for label in labels:
            if label in owner and owner[label] != key.value:
                raise LabelFileError(f"{where}: label {label!r} already names field '{owner[label]}'")
            owner[label] = key.value
        out[key.value] = labels
    return out


def label_to_field(path: Path = LABELS_FILE) -> dict[str, str]:
    return {label: name for name, labels in field_synonyms(path).items() for label in labels}


def table_label_pattern() -> re.Pattern[str]:
    """Matches any label of TABLE_FIELDS, with any spacing between its characters."""
    synonyms = field_synonyms()
    labels = sorted({lab for f in TABLE_FIELDS for lab in synonyms.get(f, ()) if len(lab) >= 2}, key=len, reverse=True)
    return re.compile("|".join(r"[\s\u3000\xa0]*".join(map(re.escape, lab)) for lab in labels))
