"""Route templates as the Functions host understands them.

`{name}` matches one path segment, `{name?}` an optional trailing segment, `{*rest}` the remainder, and the
common constraints `{id:int}`, `{id:alpha}`, `{id:guid}`, `{id:bool}` are checked.
"""

from __future__ import annotations

import re

_CONSTRAINTS = {
    "int": r"-?\d+",
    "long": r"-?\d+",
    "alpha": r"[A-Za-z]+",
    "bool": r"(?i:true|false)",
    "guid": r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}",
}
_PARAM = re.compile(r"^\{(\*)?([A-Za-z_][A-Za-z0-9_]*)(?::([a-z]+))?(\?)?\}$")


class RouteTemplate:
    """A compiled route template under the host's route prefix."""

    def __init__(self, template: str, prefix: str) -> None:
        self.template = "/".join(p for p in (prefix.strip("/"), template.strip("/")) if p)
        self.literal_segments = 0
        self._regex = re.compile("^/" + self._compile(self.template) + "/?$", re.IGNORECASE)
        # The leading literal segments, lowercased: an ASCII path without them is refused before the regex
        # runs (a request is tried against every route until one matches; for ASCII text, lower() and
        # IGNORECASE agree).
        lead = []
        for segment in self.template.split("/"):
            if _PARAM.match(segment) or not segment or not segment.isascii():
                break
            lead.append(segment.lower())
        self._lead = "/" + "/".join(lead) if lead else ""

    def _compile(self, template: str) -> str:
        parts: list[str] = []
        for segment in template.split("/"):
            m = _PARAM.match(segment)
            if not m:
                self.literal_segments += 1
                parts.append(("/" if parts else "") + re.escape(segment))
                continue
            catch_all, name, constraint, optional = m.groups()
            if catch_all:
                parts.append(f"(?:/(?P<{name}>.*))?" if parts else f"(?P<{name}>.*)")
                continue
            pattern = _CONSTRAINTS.get(constraint or "", r"[^/]+")
            piece = f"(?P<{name}>{pattern})"
            if optional:
                parts.append(f"(?:/{piece})?" if parts else f"{piece}?")
            else:
                parts.append(("/" if parts else "") + piece)
        return "".join(parts)

    def match(self, path: str) -> dict[str, str] | None:
        if self._lead and path.isascii() and path[:len(self._lead)].lower() != self._lead:
            return None
        m = self._regex.match(path)
        if m is None:
            return None
        return {k: v for k, v in m.groupdict().items() if v is not None}
