"""``Person`` (seed 000 Person): what a person record carries besides what every customer has.

Thinx stores a contact, an assistant and a comment's author alike as a customer record, so ``Contact``
implements ``Person`` rather than the graph keeping a second kind of person.
"""

from __future__ import annotations

import strawberry

from gateway.backends.records import Relation
from resolvers.common.customer import BaseCustomer
from resolvers.common.lists import nested_list
from resolvers.contacts.enums import Gender
from resolvers.lists import OCCASION_LIST


@strawberry.interface(
    description="A person (seed 000 Person): names, gender, languages and important dates, with the contact "
    "details and audit fields of every customer record. Contacts implement it."
)
class Person(BaseCustomer):
    first_name: str | None = strawberry.field(description="First name.")
    middle_name: str | None = strawberry.field(description="Middle name.")
    last_name: str | None = strawberry.field(description="Last name.")
    preferred_name: str | None = strawberry.field(description="The name the contact likes to be called.")
    suffix: str | None = strawberry.field(description="Name suffix, e.g. Jr.")
    gender: Gender | None = strawberry.field(description="Gender.")
    languages_spoken: list[str] = strawberry.field(description="Languages the contact speaks.")
    occasions = nested_list(OCCASION_LIST, Relation.CONTACT_OCCASIONS, "Important dates (seed 000 Occasion).")
