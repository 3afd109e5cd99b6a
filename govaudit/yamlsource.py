"""YAML files that remember where every value came from.

Site configs, rule files and the schedule are edited by people, not programs; an error that
says `crawler/sites/demo.yml:14: field 'units[2].level'` gets fixed in seconds, one that says
`KeyError: 'level'` does not. Values are plain Python (dicts, lists, scalars); locations are
kept beside them, keyed by the path of keys and indexes that leads to each value.

These files may come from someone else (a shared checkout, a copied config), so reading one is
bounded: at most MAX_BYTES, nesting at most MAX_DEPTH deep, and no anchors or aliases (a
"billion laughs" file expands a few lines into gigabytes) and no tags (`!!python/name:`, custom
`!tag`): none of our files needs them. Each refusal is a YamlError naming the file and line,
found by a scan of the parser's events before any node is built.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PathKey = tuple[Any, ...]
MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64
# Explicit tags that only restate what a plain value is; anything else (python/*, custom) is refused.
_PLAIN_TAGS = {None, "!", *(f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map"))}
# libyaml's parser when PyYAML was built with it (the wheels are): the same events, nodes and
# line marks as the pure-Python parser, ten times faster, which the rule tuner's loop feels.
# A file it refuses is parsed again by the pure-Python parser, whose messages are the clearer
# ones and whose depth check is ours (libyaml stops at its own limit first). Scalars are
# resolved and constructed by SafeLoader's rules either way.
_FAST_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlError(ValueError):
    """A problem at a place in a YAML file; str() is `file:line: message`."""

    def __init__(self, file: str | Path, line: int | None, message: str):
        self.file, self.line, self.message = str(file), line, message
        where = f"{self.file}:{line}" if line else self.file
        super().__init__(f"{where}: {message}")


@dataclass
class YamlDoc:
    file: str
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line(self, *path: Any) -> int | None:
        """Line of the value at `path`, else of its nearest enclosing value."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())

    def error(self, path: PathKey, message: str) -> YamlError:
        return YamlError(self.file, self.line(*path), message)


def dotted(path: PathKey) -> str:
    """('units', 2, 'level') -> 'units[2].level' for messages."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_yaml(path: str | Path, text: str | None = None) -> YamlDoc:
    path = Path(path)
    try:
        if text is None:
            if path.is_dir():
                raise YamlError(path, None, "is a directory, not a YAML file")
            with open(path, "rb") as handle:
                raw = handle.read(MAX_BYTES + 1)
            if len(raw) > MAX_BYTES:
                raise YamlError(path, None, f"larger than {MAX_BYTES // 1024} KiB; not a hand-edited file")
            text = raw.decode("utf-8")
        elif len(text) > MAX_BYTES:
            raise YamlError(path, None, f"larger than {MAX_BYTES // 1024} KiB; not a hand-edited file")
        source = text
    except FileNotFoundError:
        raise YamlError(path, None, "file not found") from None
    except UnicodeDecodeError as exc:
        raise YamlError(path, None, f"not UTF-8 text ({exc.reason}); save the file as UTF-8") from None
    except OSError as exc:
        raise YamlError(path, None, f"cannot be read: {exc.strerror or exc}") from None
    try:
        return _document(path, _compose(path, source, _FAST_LOADER))
    except yaml.YAMLError:
        pass  # refused: parsed again below by the pure-Python parser, for its message
    try:
        node = _compose(path, source, yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise YamlError(path, line, f"YAML syntax error: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise YamlError(path, None, f"YAML syntax error: {exc}") from None
    return _document(path, node)


def _compose(path: Path, source: str, loader: type) -> yaml.Node | None:
    _check_events(path, source, loader)
    return yaml.compose(source, Loader=loader)


def _document(path: Path, node: yaml.Node | None) -> YamlDoc:
    doc = YamlDoc(file=str(path), data=None)
    if node is None:
        return doc
    constructor = yaml.SafeLoader("")
    try:
        doc.data = _build(node, (), doc, constructor)
    finally:
        constructor.dispose()
    return doc


def _check_events(path: Path, source: str, loader: type) -> None:
    """Refuse anchors, aliases, tags and deep nesting, from the event stream (no nodes built)."""
    depth = 0
    for event in yaml.parse(source, Loader=loader):
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.AliasEvent):
            raise YamlError(path, line, f"alias *{event.anchor} is not allowed (write the value out in full)")
        if isinstance(event, yaml.NodeEvent) and event.anchor is not None:
            raise YamlError(path, line, f"anchor &{event.anchor} is not allowed (write the value out in full)")
        if isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)) and event.tag not in _PLAIN_TAGS:
            tag = str(event.tag).replace("tag:yaml.org,2002:", "!!")
            raise YamlError(path, line, f"tag {tag} is not allowed; write a plain value")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlError(path, line, f"nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _build(node: yaml.Node, path: PathKey, doc: YamlDoc, constructor: yaml.SafeLoader) -> Any:
    doc.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError(doc.file, key_node.start_mark.line + 1, "a key must be a plain value")
            key = _scalar(key_node, constructor)
            if key in out:
                raise YamlError(doc.file, key_node.start_mark.line + 1,
                                f"duplicate key {key!r} (it appears twice in the same mapping)")
            out[key] = _build(value_node, path + (key,), doc, constructor)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), doc, constructor) for i, item in enumerate(node.value)]
    return _scalar(node, constructor)


def _scalar(node: yaml.Node, constructor: yaml.SafeLoader) -> Any:
    return constructor.construct_object(node, deep=True)
