"""A first end-to-end pass: create a contact and read it back."""

from __future__ import annotations

from conftest import Client
from gateway.settings import Settings

CREATE = """
mutation($input: ContactCreateInput!) {
  contactCreate(input: $input) {
    contact { id displayName emails { email } phones { number } }
    errors { code field seedCode }
  }
}
"""


async def test_created_contact_is_listed(client: Client, settings: Settings) -> None:
    created = await client.execute(
        CREATE,
        {
            "input": {
                "firstName": "Ada",
                "lastName": "Lovelace",
                "emails": [{"email": "ada@example.com"}],
                "phones": [{"number": "(514) 555-0123", "countryCode": "CA"}],
            }
        },
    )
    contact = created["data"]["contactCreate"]["contact"]
    assert contact["phones"] == [{"number": "+15145550123"}]
    listed = await client.execute("{ contacts(first: 5) { totalCount edges { node { id displayName } } } }")
    assert listed["data"]["contacts"]["totalCount"] == 1
    # The planner: the page and its totalCount in one statement; the resolvers: one each.
    assert listed["extensions"]["cost"]["sqlStatements"] == (1 if settings.planner else 2)
