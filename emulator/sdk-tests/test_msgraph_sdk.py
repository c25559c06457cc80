"""Microsoft's official Graph SDK for Python (msgraph-sdk), pointed at the emulator, reads the MTO,
lists and adds tenants, reads and patches the join request, lists partners with identity sync and
reads both templates — without errors and without fields it could not map. It also sees the
documented role-restricted reads (basic attributes, 403 as ODataError), a join that is accepted and
fails asynchronously, and a second MTO created by a tenant in none.

Run by scripts/test.sh with EMULATOR_BASE set to a running emulator (demo scenario, controls on).
"""

import base64
import hashlib
import json
import os
import secrets
import unittest
import urllib.parse
import urllib.request

from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from kiota_abstractions.method import Method
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.models.multi_tenant_organization import MultiTenantOrganization
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.multi_tenant_organization_join_request_record import (
    MultiTenantOrganizationJoinRequestRecord,
)
from msgraph.generated.models.multi_tenant_organization_member import MultiTenantOrganizationMember
from msgraph.generated.policies.cross_tenant_access_policy.partners.partners_request_builder import (
    PartnersRequestBuilder,
)
from kiota_abstractions.base_request_configuration import RequestConfiguration

BASE = os.environ.get("EMULATOR_BASE", "http://127.0.0.1:4000")
CLIENT_ID = "3f1c2b9e-6a7d-4e8f-9b0a-5c4d3e2f1a0b"
CLIENT_SECRET = "demo-secret-not-for-production"
REDIRECT = "http://127.0.0.1:3000/auth/callback"
CONTOSO = "2f1d6a3e-8c4b-4f7a-9e21-5b3c7d9a0c11"
FABRIKAM = "7b9e4c2d-1a3f-4e8b-a5c6-0d2e4f6a8b22"
NORTHWIND = "9e3b5d7f-2c4a-4b6e-9f1a-3c5e7a9b1d44"
TAILSPIN = "1a5c7e9b-3d2f-4c8a-b6e4-8f0a2c4e6a55"
ZERO = "00000000-0000-0000-0000-000000000000"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def user_token(tenant: str, upn: str) -> str:
    """Authorization code + PKCE against the emulator's Entra endpoints (prompt=none)."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urllib.parse.urlencode({
        "client_id": CLIENT_ID, "response_type": "code", "redirect_uri": REDIRECT,
        "scope": "openid offline_access https://graph.microsoft.com/.default", "prompt": "none",
        "login_hint": upn, "code_challenge": challenge, "code_challenge_method": "S256",
    })
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(f"{BASE}/{tenant}/oauth2/v2.0/authorize?{query}")
        raise AssertionError("expected a redirect with a code")
    except urllib.error.HTTPError as redirect:
        location = redirect.headers["Location"]
    code = urllib.parse.parse_qs(urllib.parse.urlparse(location).query)["code"][0]
    body = urllib.parse.urlencode({
        "grant_type": "authorization_code", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
        "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier,
    }).encode()
    with urllib.request.urlopen(f"{BASE}/{tenant}/oauth2/v2.0/token", data=body) as response:
        return json.load(response)["access_token"]


class StaticToken(AccessTokenProvider):
    def __init__(self, token: str):
        self.token = token

    async def get_authorization_token(self, uri, additional_authentication_context=None):
        return self.token

    def get_allowed_hosts_validator(self):
        return AllowedHostsValidator([])


def client_for(token: str) -> GraphServiceClient:
    adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(StaticToken(token)))
    adapter.base_url = f"{BASE}/v1.0"
    return GraphServiceClient(request_adapter=adapter)


def unmapped(entity) -> dict:
    """Fields the SDK could not map to a model property (OData annotations aside)."""
    data = getattr(entity, "additional_data", None) or {}
    return {k: v for k, v in data.items() if not k.startswith("@odata.")}


def reset():
    request = urllib.request.Request(f"{BASE}/_emulator/reset", method="POST")
    urllib.request.urlopen(request).close()


def advance(seconds: int):
    request = urllib.request.Request(
        f"{BASE}/_emulator/clock/advance", data=json.dumps({"seconds": seconds}).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    urllib.request.urlopen(request).close()


class MsGraphSdkAgainstTheEmulator(unittest.IsolatedAsyncioTestCase):
    def setUp(self):
        reset()

    async def test_reads_the_mto_and_its_tenants(self):
        client = client_for(user_token("contoso.onmicrosoft.com", "admin@contoso.onmicrosoft.com"))
        mto = await client.tenant_relationships.multi_tenant_organization.get()
        self.assertEqual(mto.display_name, "Contoso Group")
        self.assertEqual(mto.state.value, "active")
        self.assertIsNotNone(mto.created_date_time)
        self.assertEqual(unmapped(mto), {})
        tenants = await client.tenant_relationships.multi_tenant_organization.tenants.get()
        by_id = {t.tenant_id: t for t in tenants.value}
        self.assertEqual(by_id[CONTOSO].role.value, "owner")
        self.assertEqual(by_id[NORTHWIND].state.value, "pending")
        self.assertIsNone(by_id[NORTHWIND].joined_date_time)
        for tenant in tenants.value:
            self.assertEqual(unmapped(tenant), {}, tenant.tenant_id)

    async def test_adds_a_tenant(self):
        client = client_for(user_token("contoso.onmicrosoft.com", "admin@contoso.onmicrosoft.com"))
        member = MultiTenantOrganizationMember(tenant_id=TAILSPIN, display_name="Tailspin Toys")
        added = await client.tenant_relationships.multi_tenant_organization.tenants.post(member)
        self.assertEqual(added.state.value, "pending")
        self.assertEqual(str(added.added_by_tenant_id), CONTOSO)
        self.assertEqual(unmapped(added), {})

    async def test_reads_and_patches_the_join_request(self):
        client = client_for(user_token("northwindtraders.onmicrosoft.com", "admin@northwindtraders.onmicrosoft.com"))
        join = client.tenant_relationships.multi_tenant_organization.join_request
        before = await join.get()
        self.assertEqual(before.added_by_tenant_id, "00000000-0000-0000-0000-000000000000")
        await join.patch(MultiTenantOrganizationJoinRequestRecord(added_by_tenant_id=CONTOSO))
        pending = await join.get()
        self.assertEqual(pending.member_state.value, "pending")
        self.assertEqual(pending.transition_details.status.value, "notStarted")
        advance(60)
        done = await join.get()
        self.assertEqual(done.member_state.value, "active")
        self.assertEqual(done.role.value, "member")
        self.assertEqual(unmapped(done), {})

    async def test_lists_partners_with_identity_sync_and_reads_both_templates(self):
        client = client_for(user_token("fabrikam.onmicrosoft.com", "admin@fabrikam.onmicrosoft.com"))
        policy = client.policies.cross_tenant_access_policy
        config = RequestConfiguration(query_parameters=PartnersRequestBuilder.PartnersRequestBuilderGetQueryParameters(expand=["identitySynchronization"]))
        partners = await policy.partners.get(request_configuration=config)
        self.assertGreaterEqual(len(partners.value), 2)
        for partner in partners.value:
            self.assertIsNotNone(partner.identity_synchronization, partner.tenant_id)
            self.assertEqual(unmapped(partner), {}, partner.tenant_id)
        sync_template = await policy.templates.multi_tenant_organization_identity_synchronization.get()
        self.assertEqual(unmapped(sync_template), {})
        partner_template = await policy.templates.multi_tenant_organization_partner_configuration.get()
        self.assertEqual(unmapped(partner_template), {})
        self.assertIsNotNone(partner_template.template_application_level)

    async def test_helpdesk_reads_basic_attributes_and_is_refused_the_join_request(self):
        client = client_for(user_token("contoso.onmicrosoft.com", "helpdesk@contoso.onmicrosoft.com"))
        mto = await client.tenant_relationships.multi_tenant_organization.get()
        self.assertEqual(mto.display_name, "Contoso Group")
        self.assertIsNone(mto.created_date_time)
        self.assertEqual(unmapped(mto), {})
        tenants = await client.tenant_relationships.multi_tenant_organization.tenants.get()
        ids = {t.tenant_id for t in tenants.value}
        self.assertIn(FABRIKAM, ids)
        self.assertNotIn(NORTHWIND, ids, "pending tenants are not basic attributes")
        for tenant in tenants.value:
            self.assertIsNotNone(tenant.display_name)
            self.assertIsNone(tenant.role)
            self.assertIsNone(tenant.state)
        with self.assertRaises(ODataError) as refused:
            await client.tenant_relationships.multi_tenant_organization.join_request.get()
        self.assertEqual(refused.exception.response_status_code, 403)
        self.assertEqual(refused.exception.error.code, "Authorization_RequestDenied")

    async def test_a_join_not_added_by_the_owner_is_accepted_then_fails(self):
        client = client_for(user_token("tailspintoys.onmicrosoft.com", "admin@tailspintoys.onmicrosoft.com"))
        join = client.tenant_relationships.multi_tenant_organization.join_request
        await join.patch(MultiTenantOrganizationJoinRequestRecord(added_by_tenant_id=CONTOSO))
        asked = await join.get()
        self.assertEqual(asked.transition_details.status.value, "notStarted")
        advance(60)
        failed = await join.get()
        self.assertEqual(failed.transition_details.status.value, "failed")
        self.assertEqual(failed.transition_details.details, "DirectoryService Exception")
        self.assertEqual(unmapped(failed), {})
        self.assertEqual(unmapped(failed.transition_details), {})
        await join.patch(MultiTenantOrganizationJoinRequestRecord(added_by_tenant_id=ZERO))
        reset = await join.get()
        self.assertEqual(reset.added_by_tenant_id, ZERO)
        self.assertIsNone(reset.transition_details)

    async def test_a_tenant_in_no_mto_creates_a_second_one(self):
        client = client_for(user_token("tailspintoys.onmicrosoft.com", "admin@tailspintoys.onmicrosoft.com"))
        builder = client.tenant_relationships.multi_tenant_organization
        # The SDK has no `put` on this builder: its PATCH request information, sent as the
        # documented PUT (api/tenantrelationship-put-multitenantorganization.md).
        request = builder.to_patch_request_information(MultiTenantOrganization(display_name="Tailspin Group"))
        request.http_method = Method.PUT
        created = await client.request_adapter.send_async(
            request, MultiTenantOrganization, {"XXX": ODataError})
        self.assertEqual(created.display_name, "Tailspin Group")
        self.assertEqual(created.state.value, "active")
        self.assertEqual(unmapped(created), {})
        tenants = await builder.tenants.get()
        self.assertEqual([t.tenant_id for t in tenants.value], [TAILSPIN])
        self.assertEqual(tenants.value[0].role.value, "owner")
        contoso = client_for(user_token("contoso.onmicrosoft.com", "admin@contoso.onmicrosoft.com"))
        mto = await contoso.tenant_relationships.multi_tenant_organization.get()
        self.assertEqual(mto.display_name, "Contoso Group")


if __name__ == "__main__":
    unittest.main(verbosity=2)
