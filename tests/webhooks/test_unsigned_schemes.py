"""Handshakes and the schemes authenticated by shared tokens: Slack, Zoom, Notion, Graph, Drive, Salesforce."""

from __future__ import annotations

import json

import pytest
from pydantic import SecretStr

from webhooks import (
    Accepted,
    BadSignature,
    Challenge,
    Malformed,
    MissingHeader,
    NoSecretConfigured,
    RawRequest,
    http_reply,
    verify,
)
from webhooks.config import DriveChannelConfig, GraphConfig, NotionConfig, SalesforceConfig, SlackConfig, ZoomConfig

from .helpers import NOW, NOW_TS, URL, hmac_hex, request

SECRET = "s3cret-value"


def test_slack_url_verification_is_answered_only_when_signed():
    body = b'{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",' \
           b'"type":"url_verification"}'
    config = SlackConfig(signing_secret=SecretStr(SECRET))
    signed = request(body, {"X-Slack-Request-Timestamp": str(NOW_TS),
                            "X-Slack-Signature": "v0=" + hmac_hex(SECRET, f"v0:{NOW_TS}:".encode() + body)})
    result = verify(config, signed, NOW)
    assert isinstance(result, Challenge)
    assert result.body == b"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    assert result.content_type.startswith("text/plain")
    unsigned = request(body, {"X-Slack-Request-Timestamp": str(NOW_TS), "X-Slack-Signature": "v0=" + "0" * 64})
    assert isinstance(verify(config, unsigned, NOW), BadSignature)


def test_zoom_url_validation_is_not_answered_without_a_valid_signature():
    # Otherwise the endpoint would be an HMAC oracle: plainToken could be any message to forge.
    body = b'{"payload":{"plainToken":"v0:1739923528:{\\"event\\":\\"x\\"}"},"event":"endpoint.url_validation"}'
    req = request(body, {"x-zm-request-timestamp": str(NOW_TS), "x-zm-signature": "v0=" + "0" * 64})
    assert isinstance(verify(ZoomConfig(secret_token=SecretStr(SECRET)), req, NOW), BadSignature)


def test_zoom_url_validation_without_plain_token_is_malformed():
    body = b'{"payload":{},"event":"endpoint.url_validation"}'
    req = request(body, {"x-zm-request-timestamp": str(NOW_TS),
                         "x-zm-signature": "v0=" + hmac_hex(SECRET, f"v0:{NOW_TS}:".encode() + body)})
    assert isinstance(verify(ZoomConfig(secret_token=SecretStr(SECRET)), req, NOW), Malformed)


class TestNotion:
    HANDSHAKE = b'{"verification_token":"secret_tMrlL1qK5vuQAh1b6cZGhFChZTSYJlce98V0pYn7yBl"}'

    def test_token_is_captured_while_none_is_configured(self):
        result = verify(NotionConfig(), request(self.HANDSHAKE), NOW)
        assert isinstance(result, Challenge) and result.status == 200 and result.body == b""
        assert result.captured_token is not None
        assert result.captured_token.get_secret_value().startswith("secret_tMrl")
        assert "secret_tMrl" not in repr(result)

    def test_unconfigured_events_fail_closed(self):
        assert isinstance(verify(NotionConfig(), request(b'{"id":"e1","type":"page.created"}'), NOW),
                          NoSecretConfigured)

    def test_handshake_with_extra_fields_is_not_captured(self):
        body = b'{"verification_token":"secret_x","type":"page.created"}'
        assert isinstance(verify(NotionConfig(), request(body), NOW), NoSecretConfigured)

    def test_once_configured_an_unsigned_handshake_is_rejected(self):
        config = NotionConfig(verification_token=SecretStr("secret_old"))
        assert isinstance(verify(config, request(self.HANDSHAKE), NOW), MissingHeader)


class TestGraph:
    CONFIG = GraphConfig(client_state=SecretStr("client-state-secret"))

    def _batch(self, *states: str | None) -> bytes:
        items = [{"subscriptionId": f"sub{i}", "changeType": "updated", "resource": "Users/u1",
                  **({"clientState": s} if s is not None else {})} for i, s in enumerate(states)]
        return json.dumps({"value": items}).encode()

    def test_validation_token_is_echoed_url_decoded_as_text(self):
        req = RawRequest.build("POST", URL + "?validationToken=Validation%3A%20Testing%20client%20%2B%20app", {}, b"")
        result = verify(self.CONFIG, req, NOW)
        assert isinstance(result, Challenge)
        assert result.body == b"Validation: Testing client + app"
        assert result.content_type.startswith("text/plain")

    def test_validation_is_refused_without_a_configured_client_state(self):
        req = RawRequest.build("POST", URL + "?validationToken=abc", {}, b"")
        assert isinstance(verify(GraphConfig(), req, NOW), NoSecretConfigured)

    def test_batch_with_matching_client_states_is_accepted_with_202(self):
        result = verify(self.CONFIG, request(self._batch("client-state-secret", "client-state-secret")), NOW)
        assert isinstance(result, Accepted)
        assert http_reply(result).status == 202

    @pytest.mark.parametrize("states", [("client-state-secret", "wrong"), ("client-state-secret", None), ("",)])
    def test_one_bad_client_state_rejects_the_batch(self, states):
        assert isinstance(verify(self.CONFIG, request(self._batch(*states)), NOW), BadSignature)

    @pytest.mark.parametrize("body", [b"", b"[]", b'{"value": []}', b'{"value": [1]}', b"not json"])
    def test_other_shapes_are_malformed(self, body):
        assert isinstance(verify(self.CONFIG, request(body), NOW), Malformed)


class TestDrive:
    CONFIG = DriveChannelConfig(channel_token=SecretStr("chan-token"), channel_id="chan-1")

    def _headers(self, **overrides: str) -> dict[str, str]:
        base = {"X-Goog-Channel-Token": "chan-token", "X-Goog-Channel-ID": "chan-1",
                "X-Goog-Resource-State": "change", "X-Goog-Message-Number": "7", "X-Goog-Resource-ID": "r1"}
        return base | overrides

    def test_change_notification_is_accepted(self):
        result = verify(self.CONFIG, request(b"", self._headers()), NOW)
        assert isinstance(result, Accepted) and result.event_id == "drive:chan-1:7"

    def test_sync_message_is_answered_and_not_stored(self):
        assert isinstance(verify(self.CONFIG, request(b"", self._headers(**{"X-Goog-Resource-State": "sync"})), NOW),
                          Challenge)

    @pytest.mark.parametrize(("overrides", "expected"), [
        ({"X-Goog-Channel-Token": "other"}, BadSignature),
        ({"X-Goog-Channel-ID": "chan-2"}, BadSignature),
    ])
    def test_wrong_token_or_channel(self, overrides, expected):
        assert isinstance(verify(self.CONFIG, request(b"", self._headers(**overrides)), NOW), expected)

    def test_missing_token_header_and_no_token_configured(self):
        headers = {k: v for k, v in self._headers().items() if k != "X-Goog-Channel-Token"}
        assert isinstance(verify(self.CONFIG, request(b"", headers), NOW), MissingHeader)
        assert isinstance(verify(DriveChannelConfig(), request(b"", self._headers()), NOW), NoSecretConfigured)


OUTBOUND = b"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>00D5g000004AbCdEAF</OrganizationId>
   <ActionId>04k5g000000XyZaAAK</ActionId>
   <SessionId xsi:nil="true"/>
   <EnterpriseUrl>https://acme.my.salesforce.com/services/Soap/c/60.0/00D5g000004AbCd</EnterpriseUrl>
   <PartnerUrl>https://acme.my.salesforce.com/services/Soap/u/60.0/00D5g000004AbCd</PartnerUrl>
   <Notification>
    <Id>04l5g00000ABCDEAA1</Id>
    <sObject xsi:type="sf:Account" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>0015g00000XyZ01AAB</sf:Id>
     <sf:Name>Acme</sf:Name>
     <sf:LastModifiedDate>2026-01-15T11:59:00.000Z</sf:LastModifiedDate>
    </sObject>
   </Notification>
   <Notification>
    <Id>04l5g00000ABCDEAA2</Id>
    <sObject xsi:type="sf:Account" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>0015g00000XyZ02AAB</sf:Id>
     <sf:Name>Globex</sf:Name>
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>"""


class TestSalesforce:
    CONFIG = SalesforceConfig(organization_id="00D5g000004AbCd", shared_secret=SecretStr("path-secret"))

    def test_outbound_message_is_accepted_and_acked_with_soap(self):
        req = RawRequest.build("POST", URL + "?token=path-secret", {}, OUTBOUND)
        result = verify(self.CONFIG, req, NOW)
        assert isinstance(result, Accepted)
        reply = http_reply(result)
        assert reply.status == 200 and b"<Ack>true</Ack>" in reply.body and reply.content_type.startswith("text/xml")

    def test_other_org_is_rejected(self):
        config = self.CONFIG.model_copy(update={"organization_id": "00D000000000001"})
        req = RawRequest.build("POST", URL + "?token=path-secret", {}, OUTBOUND)
        assert isinstance(verify(config, req, NOW), BadSignature)

    @pytest.mark.parametrize(("url", "expected"), [
        (URL + "?token=wrong", BadSignature), (URL, MissingHeader)])
    def test_shared_secret_is_required(self, url, expected):
        assert isinstance(verify(self.CONFIG, RawRequest.build("POST", url, {}, OUTBOUND), NOW), expected)

    def test_path_and_header_token_locations(self):
        path = self.CONFIG.model_copy(update={"token_location": "path"})
        assert isinstance(verify(path, RawRequest.build("POST", URL + "/path-secret", {}, OUTBOUND), NOW), Accepted)
        header = self.CONFIG.model_copy(update={"token_location": "header", "token_name": "X-Relay-Key"})
        assert isinstance(verify(header, request(OUTBOUND, {"x-relay-key": "path-secret"}), NOW), Accepted)

    def test_no_secret_or_no_org_fails_closed(self):
        req = RawRequest.build("POST", URL + "?token=path-secret", {}, OUTBOUND)
        assert isinstance(verify(SalesforceConfig(organization_id="00D5g000004AbCd"), req, NOW), NoSecretConfigured)
        assert isinstance(verify(SalesforceConfig(shared_secret=SecretStr("path-secret")), req, NOW),
                          NoSecretConfigured)

    @pytest.mark.parametrize("body", [
        b"<notifications/>",
        b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;&a;'>]><x>&b;</x>",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
        b"<unclosed",
        b"neither",
    ])
    def test_malformed_or_hostile_xml_is_malformed(self, body):
        req = RawRequest.build("POST", URL + "?token=path-secret", {}, body)
        assert isinstance(verify(self.CONFIG, req, NOW), Malformed)
