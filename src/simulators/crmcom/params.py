"""The parameters each method takes, from the seeds' parameter tables; any other name is refused.

Seed 001 (communications, the queue) and seed 003 (contact information) list every parameter a method
takes; none says what happens to a name it does not list. This simulator refuses it with
``UNKNOWN_PARAMETER`` (a reading: the seeds name no failure codes at all), so a connector that sends
what a seed does not define is caught.
"""

from __future__ import annotations

UDF_STRINGS_8 = tuple(f"udf_string_{n}" for n in range(1, 9))
UDF_FLOATS_4 = tuple(f"udf_float_{n}" for n in range(1, 5))
UDF_DATES_4 = tuple(f"udf_date_{n}" for n in range(1, 5))
# Seed 003 create/update (lines 1325-2056, 2633-3350): udf_string_1..16, udf_float_1..8, udf_date_1..8.
CONTACT_UDFS = (
    *(f"udf_string_{n}" for n in range(1, 17)),
    *(f"udf_float_{n}" for n in range(1, 9)),
    *(f"udf_date_{n}" for n in range(1, 9)),
)
CONTACT_WRITE = (
    "title", "first_name", "middle_name", "last_name", "company_name", "preferred_language",
    "category_identifier", "owned_by_group_identifier", "privacy_level_identifier", "notes",
    "send_direct_marketing_material", "send_affiliate_marketing_material", "demographics",
    "company_profile", "address_set", "phone_set", "email_set", "relation_set", *CONTACT_UDFS,
)  # fmt: skip
# Seed 001 create (lines 107-412) and update (lines 421-717).
COMMUNICATION_WRITE = (
    "template_identifier", "category_identifier", "communication_queue_external_system_identifier",
    "direction", "media", "subject", "content", "to", "notes", "life_cycle_state",
    "owned_by_group_identifier", "privacy_level_identifier", *UDF_STRINGS_8, *UDF_FLOATS_4, *UDF_DATES_4,
    "referring_to", "unrestricted_parameter_set",
)  # fmt: skip
QUEUE_SCOPE = ("communication_queue_external_system_identifier", "media", "contact_information_identifier")

ALLOWED: dict[str, frozenset[str]] = {
    name: frozenset(("token", "fields_set", *names))
    for name, names in {
        # seed 003 lines 12-66
        "contact_information/show": ("contact_information_identifier",),
        # seed 003 lines 440-550: the only list of the seeds with paging parameters
        "contact_information/list": (
            "id_number", "passport_number", "social_security_number", "vat_registration_number",
            "email_address", "phone_number", "number_of_results", "offset",
        ),
        # seed 003 lines 1325-2056 ("type" is a create parameter only: the update table has none)
        "contact_information/create": ("type", *CONTACT_WRITE),
        "contact_information/update": ("contact_information_identifier", *CONTACT_WRITE),
        # seed 003 lines 3709-3770, 3822-3889 (a multipart/form-data post with the file as "file")
        "contact_information/profile_photo/view": ("contact_information_identifier",),
        "contact_information/profile_photo/add": ("contact_information_identifier", "file"),
        "contact_information/profile_photo/remove": ("contact_information_identifier",),
        # seed 001 lines 17-47, 51-103, 107-412, 421-717, 721-751, 755-805 (only set_as_viewed is named
        # in the excerpt: the others' names are read from their tables, see docs/upstreams/crmcom.md)
        "communications/show": ("communication_identifier",),
        "communications/list": (
            "contact_information_identifier", "category_identifier", "direction", "media",
        ),
        "communications/create": ("contact_information_identifier", *COMMUNICATION_WRITE),
        "communications/update": ("communication_identifier", *COMMUNICATION_WRITE),
        "communications/complete": ("communication_identifier",),
        "communications/set_as_viewed": ("communication_identifier", "viewed_on"),
        # seed 001 lines 882-916, 920-988, 992-1054, 1058-1096, 1102-1154, 1158-1200, 1206-1274 (named:
        # show, remove, get_pending_completed; list, get_latest, complete, reject read from their tables)
        "communications/queue/show": ("communication_queue_identifier",),
        "communications/queue/list": (*QUEUE_SCOPE, "life_cycle_state"),
        "communications/queue/get_latest": (*QUEUE_SCOPE, "number"),
        "communications/queue/complete": ("communication_queue_identifier",),
        "communications/queue/reject": ("communication_queue_identifier", "error_code", "error_description"),
        "communications/queue/remove": ("communication_queue_identifier",),
        "communications/queue/get_pending_completed": (*QUEUE_SCOPE, "number"),
    }.items()
}  # fmt: skip
# seed 003 lines 3948-3994: remove lists the token and the identifier only (no fields_set: nothing answers)
ALLOWED["contact_information/profile_photo/remove"] = frozenset(("token", "contact_information_identifier"))
