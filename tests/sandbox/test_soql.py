"""The SOQL parser on its own."""

import pytest

from sandbox.salesforce.errors import MalformedQuery
from sandbox.salesforce.soql import Condition, DateTimeLiteral, OrderKey, parse


def test_full_statement() -> None:
    query = parse(
        "SELECT Id, Name, Owner.Email FROM Account WHERE SystemModstamp >= 2026-01-01T00:00:00.000+0000 "
        "AND IsDeleted = false AND Id > '001x' ORDER BY SystemModstamp ASC, Id DESC LIMIT 10"
    )
    assert query.fields == ("Id", "Name", "Owner.Email")
    assert query.sobject == "Account"
    assert query.where == (
        Condition("SystemModstamp", ">=", (DateTimeLiteral(1_767_225_600_000),)),
        Condition("IsDeleted", "=", (False,)),
        Condition("Id", ">", ("001x",)),
    )
    assert query.order == (OrderKey("SystemModstamp"), OrderKey("Id", descending=True, nulls_last=True))
    assert query.limit == 10


@pytest.mark.parametrize("literal", ["2026-01-01T00:00:00Z", "2026-01-01T00:00:00+00:00", "2026-01-01T01:00:00+0100"])
def test_datetime_literal_forms_agree(literal: str) -> None:
    assert parse(f"SELECT Id FROM Contact WHERE LastModifiedDate > {literal}").where[0].values == (
        DateTimeLiteral(1_767_225_600_000),
    )


def test_keywords_are_case_insensitive_and_in_lists_parse() -> None:
    query = parse("select id from contact where id in ('a', 'b') order by id limit 5 offset 2")
    assert query.where == (Condition("id", "IN", ("a", "b")),)
    assert (query.limit, query.offset) == (5, 2)


@pytest.mark.parametrize(
    "text",
    ["SELECT FROM Account", "SELECT Id Account", "SELECT Id FROM Account WHERE", "SELECT Id FROM Account LIMIT x",
     "SELECT Id FROM Account WHERE Id = 'a' OR Id = 'b'", "SELECT Id FROM Account extra", "DELETE Account"],
)
def test_malformed(text: str) -> None:
    with pytest.raises(MalformedQuery):
        parse(text)
