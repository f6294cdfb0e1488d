"""Mapping source paths become the HubSpot property names a read asks for."""

from adapters.hubspot.paginate import property_names


def test_record_paths_and_bare_names_ask_for_properties() -> None:
    fields = ["properties.email", "lastname", "properties.email", "id", "updatedAt", "properties.address.city"]
    assert property_names(fields) == ["email", "lastname", "address"]
