"""Reading a YAML record safely: plain data, the line and column of every field, and the problems
PyYAML would hide (duplicate keys, YAML 1.1 booleans such as ``NO`` for Norway).

Whatever the bytes, ``parse`` returns; it never raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml
import yaml.reader
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Path_ = tuple  # a field path: ("indicators", 0, "evidence", "fr")

# Plain scalars that YAML 1.1 reads as booleans but a person means as text (NO = Norway).
_YAML11_BOOLEANS = {"y", "yes", "n", "no", "on", "off"}
_MAX_NODES = 50_000  # stops alias bombs; a real record has a few hundred nodes


@dataclass
class SourceProblem:
    """A problem found while reading, at a 1-based line and column."""

    line: int
    column: int
    field: str
    message: str
    rule: str


@dataclass
class Parsed:
    """What ``parse`` read: the data (None when unreadable), field positions, and problems."""

    data: object = None
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    problems: list[SourceProblem] = field(default_factory=list)

    def slim(self) -> "Parsed":
        """A copy keeping only the positions of the top-level fields and of related ids (for large collections)."""
        keep = {k: v for k, v in self.positions.items() if len(k) <= 1 or k[0] in ("related", "links")}
        return Parsed(data=self.data, positions=keep, problems=[])

    def position(self, path: Path_) -> tuple[int, int]:
        """Line and column of ``path``, or of its closest known parent."""
        path = tuple(path)
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get((), (1, 1))


def format_path(path: Path_) -> str:
    """("indicators", 0, "id") -> "indicators[0].id"."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(record)"


class _Converter:
    def __init__(self, loader: yaml.SafeLoader, parsed: Parsed):
        self.loader = loader
        self.parsed = parsed
        self.count = 0
        self.active: set[int] = set()

    def convert(self, node: Node, path: Path_) -> object:
        self.count += 1
        if self.count > _MAX_NODES:
            raise _TooLarge
        self.parsed.positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if id(node) in self.active:
            raise _Recursive
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return [self.convert(child, (*path, i)) for i, child in enumerate(node.value)]
            if isinstance(node, MappingNode):
                return self._mapping(node, path)
        finally:
            self.active.discard(id(node))
        return None

    def _scalar(self, node: ScalarNode, path: Path_) -> object:
        plain = node.style in (None, "")  # libyaml says "" where the pure-Python parser says None
        if node.tag == "tag:yaml.org,2002:bool" and plain and node.value.lower() in _YAML11_BOOLEANS:
            line, col = node.start_mark.line + 1, node.start_mark.column + 1
            self.parsed.problems.append(
                SourceProblem(
                    line, col, format_path(path),
                    f"unquoted {node.value} is read as a boolean by YAML 1.1 tools; "
                    f'write "{node.value}" in quotes if you mean the text',
                    "yaml-boolean",
                )
            )
            return node.value
        try:
            value = self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            line, col = node.start_mark.line + 1, node.start_mark.column + 1
            self.parsed.problems.append(
                SourceProblem(line, col, format_path(path), f"cannot read this value ({_first_line(exc)})", "yaml-syntax")
            )
            return None
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:  # escapes such as "\ud800" make text that is not Unicode
                line, col = node.start_mark.line + 1, node.start_mark.column + 1
                self.parsed.problems.append(SourceProblem(
                    line, col, format_path(path), "the text holds invalid characters (unpaired surrogate escapes)",
                    "yaml-syntax"))
                return value.encode("utf-8", "replace").decode("utf-8")
        return value

    def _mapping(self, node: MappingNode, path: Path_) -> dict:
        self.loader.flatten_mapping(node)  # resolves YAML merge keys (<<)
        out: dict = {}
        for key_node, value_node in node.value:
            key = self._scalar(key_node, path) if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                line, col = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                self.parsed.problems.append(
                    SourceProblem(line, col, format_path(path), "keys must be plain words", "yaml-syntax")
                )
                continue
            key = str(key)
            child = (*path, key)
            if key in out:
                line, col = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                first = self.parsed.positions.get(child, (0, 0))[0]
                self.parsed.problems.append(
                    SourceProblem(
                        line, col, format_path(child),
                        f"duplicate key (first given on line {first}); keep one of them",
                        "duplicate-key",
                    )
                )
                continue
            self.parsed.positions[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = self.convert(value_node, child)
            # keep the key's own position for the field (the convert call set only unset paths)
        return out


class _TooLarge(Exception):
    pass


class _Recursive(Exception):
    pass


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "problem", None) or exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__


def parse(raw: bytes | str) -> Parsed:
    """Parse one YAML document; every problem becomes a SourceProblem, nothing raises."""
    parsed = Parsed()
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            parsed.problems.append(
                SourceProblem(line, 1, "(file)", f"not valid UTF-8 (byte {exc.start}); save the file as UTF-8", "encoding")
            )
            return parsed
    else:
        text = raw
    if text.startswith("\ufeff"):
        text = text[1:]
    # libyaml composes ~15x faster; when it finds an error, the pure-Python parser is asked again so
    # that messages are the same on every machine
    fast_node = loader = None
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            loader = fast(text)
            fast_node = loader.get_single_node()
        except Exception:  # noqa: BLE001 - any trouble: let the pure-Python parser report it
            if loader is not None:
                loader.dispose()
            loader = fast_node = None
    try:
        if loader is None:
            loader = yaml.SafeLoader(text)
            node = loader.get_single_node()
        else:
            node = fast_node
        if node is None:
            parsed.problems.append(SourceProblem(1, 1, "(file)", "the file is empty; expected a record", "yaml-syntax"))
            return parsed
        parsed.data = _Converter(loader, parsed).convert(node, ())
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        parsed.problems.append(
            SourceProblem(line, 1, "(file)", f"character #x{exc.character:04x} is not allowed in YAML; remove it", "yaml-syntax")
        )
        parsed.data = None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = " ".join(filter(None, [exc.context, exc.problem])) or "invalid YAML"
        parsed.problems.append(SourceProblem(line, col, "(file)", f"YAML syntax error: {what}", "yaml-syntax"))
        parsed.data = None
    except yaml.YAMLError as exc:
        parsed.problems.append(SourceProblem(1, 1, "(file)", f"YAML error: {_first_line(exc)}", "yaml-syntax"))
        parsed.data = None
    except _TooLarge:
        parsed.problems.append(SourceProblem(1, 1, "(file)", "the document is too large or nests aliases too deeply", "yaml-syntax"))
        parsed.data = None
    except _Recursive:
        parsed.problems.append(SourceProblem(1, 1, "(file)", "the document refers to itself (recursive alias)", "yaml-syntax"))
        parsed.data = None
    except RecursionError:
        parsed.problems.append(SourceProblem(1, 1, "(file)", "the document nests too deeply", "yaml-syntax"))
        parsed.data = None
    finally:
        if loader is not None:
            loader.dispose()
    return parsed
