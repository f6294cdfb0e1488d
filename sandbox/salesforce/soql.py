"""A small SOQL parser: the subset sync engines send.

    SELECT f1, Rel.f2, ... FROM Obj
      [WHERE cond AND cond ...]            cond: field (= != <> < <= > >=) literal | field IN (literal, ...)
      [ORDER BY field [ASC|DESC] [NULLS FIRST|LAST], ...]
      [LIMIT n] [OFFSET n]

Literals: 'strings', numbers, true/false/null, dateTime (`2024-01-01T00:00:00Z`, `...000+0000`), dates.
The parser checks syntax only; field and object names are resolved against the schema by the executor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sandbox.clock import parse_datetime_ms
from sandbox.salesforce.errors import MalformedQuery

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2}))
    | (?P<date>\d{4}-\d{2}-\d{2})
    | (?P<number>-?\d+(?:\.\d+)?)
    | (?P<string>'(?:[^'\\]|\\.)*')
    | (?P<op>!=|<>|<=|>=|=|<|>)
    | (?P<punct>[,()])
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class DateTimeLiteral:
    """A dateTime literal, kept as epoch ms so comparisons are exact to the millisecond."""

    ms: int


@dataclass(frozen=True)
class Condition:
    field: str
    op: str  # one of = != < <= > >= IN
    values: tuple[Any, ...]


@dataclass(frozen=True)
class OrderKey:
    field: str
    descending: bool = False
    nulls_last: bool = False


@dataclass(frozen=True)
class Query:
    fields: tuple[str, ...]
    sobject: str
    where: tuple[Condition, ...] = ()
    order: tuple[OrderKey, ...] = ()
    limit: int | None = None
    offset: int = 0


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos, end = [], 0, len(text.rstrip())
    while pos < end:
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise MalformedQuery(f"unexpected token near: '{text[pos:pos + 20].strip()}'")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def next(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise MalformedQuery("unexpected end of query")
        self.pos += 1
        return token

    def keyword(self, *words: str) -> bool:
        """Consume the keywords if they come next (case-insensitive)."""
        n = len(words)
        upcoming = self.tokens[self.pos:self.pos + n]
        if len(upcoming) == n and all(k == "name" and v.upper() == w for (k, v), w in zip(upcoming, words,
                                                                                          strict=True)):
            self.pos += n
            return True
        return False

    def expect_keyword(self, *words: str) -> None:
        if not self.keyword(*words):
            raise MalformedQuery(f"expecting {' '.join(words)}")

    def name(self) -> str:
        kind, value = self.next()
        if kind != "name":
            raise MalformedQuery(f"unexpected token: '{value}'")
        return value

    def punct(self, char: str) -> bool:
        if self.peek() == ("punct", char):
            self.pos += 1
            return True
        return False

    def literal(self) -> Any:
        kind, value = self.next()
        if kind == "string":
            return re.sub(r"\\(.)", r"\1", value[1:-1])
        if kind == "number":
            return float(value) if "." in value else int(value)
        if kind == "datetime":
            return DateTimeLiteral(parse_datetime_ms(value))
        if kind == "date":
            return value
        if kind == "name" and value.lower() in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[value.lower()]
        raise MalformedQuery(f"unexpected token: '{value}'")

    def condition(self) -> Condition:
        field = self.name()
        if self.keyword("IN"):
            if not self.punct("("):
                raise MalformedQuery("expecting '(' after IN")
            values = [self.literal()]
            while self.punct(","):
                values.append(self.literal())
            if not self.punct(")"):
                raise MalformedQuery("expecting ')'")
            return Condition(field, "IN", tuple(values))
        kind, op = self.next()
        if kind != "op":
            raise MalformedQuery(f"unexpected token: '{op}'")
        return Condition(field, "!=" if op == "<>" else op, (self.literal(),))

    def order_key(self) -> OrderKey:
        field = self.name()
        descending = self.keyword("DESC")
        if not descending:
            self.keyword("ASC")
        nulls_last = descending
        if self.keyword("NULLS", "LAST"):
            nulls_last = True
        elif self.keyword("NULLS", "FIRST"):
            nulls_last = False
        return OrderKey(field, descending, nulls_last)

    def integer(self, clause: str) -> int:
        kind, value = self.next()
        if kind != "number" or not value.isdigit():
            raise MalformedQuery(f"{clause} expects a non-negative integer")
        return int(value)


def parse(text: str) -> Query:
    """Parse a SOQL statement; raises MalformedQuery with Salesforce-like messages."""
    parser = _Parser(text)
    parser.expect_keyword("SELECT")
    fields = [parser.name()]
    while parser.punct(","):
        fields.append(parser.name())
    parser.expect_keyword("FROM")
    sobject = parser.name()
    where: list[Condition] = []
    if parser.keyword("WHERE"):
        where.append(parser.condition())
        while parser.keyword("AND"):
            where.append(parser.condition())
        if parser.keyword("OR"):
            raise MalformedQuery("the sandbox supports only AND between conditions")
    order: list[OrderKey] = []
    if parser.keyword("ORDER", "BY"):
        order.append(parser.order_key())
        while parser.punct(","):
            order.append(parser.order_key())
    limit = parser.integer("LIMIT") if parser.keyword("LIMIT") else None
    offset = parser.integer("OFFSET") if parser.keyword("OFFSET") else 0
    if parser.peek() is not None:
        raise MalformedQuery(f"unexpected token: '{parser.peek()[1]}'")  # type: ignore[index]
    return Query(tuple(fields), sobject, tuple(where), tuple(order), limit, offset)
