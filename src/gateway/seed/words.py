"""The built-in vocabulary the generator draws from: places, names, companies, lead and event wording.

Everything here is fictional or generic; the weights and the two-year history shape the dataset.
"""

from __future__ import annotations

from datetime import timedelta
from typing import NamedTuple


class Place(NamedTuple):
    city: str
    province: str
    country: str
    country_code: str
    area_codes: tuple[str, ...]
    postal_prefix: str
    languages: tuple[tuple[str, int], ...]  # (ISO 639-1 code, weight)


FR, EN, BILINGUAL = (("fr", 8), ("en", 2)), (("en", 9), ("fr", 1)), (("en", 1), ("fr", 1))
PLACES = (
    Place("Montréal", "QC", "Canada", "CA", ("514", "438"), "H", FR),
    Place("Québec", "QC", "Canada", "CA", ("418", "581"), "G", FR),
    Place("Laval", "QC", "Canada", "CA", ("450", "579"), "H", FR),
    Place("Sherbrooke", "QC", "Canada", "CA", ("819", "873"), "J", FR),
    Place("Gatineau", "QC", "Canada", "CA", ("819",), "J", BILINGUAL),
    Place("Ottawa", "ON", "Canada", "CA", ("613", "343"), "K", BILINGUAL),
    Place("Toronto", "ON", "Canada", "CA", ("416", "647"), "M", EN),
    Place("Mississauga", "ON", "Canada", "CA", ("905", "289"), "L", EN),
    Place("Vancouver", "BC", "Canada", "CA", ("604", "778"), "V", EN),
    Place("Calgary", "AB", "Canada", "CA", ("403", "587"), "T", EN),
    Place("Halifax", "NS", "Canada", "CA", ("902",), "B", EN),
    Place("Moncton", "NB", "Canada", "CA", ("506",), "E", BILINGUAL),
    Place("Boston", "MA", "United States", "US", ("617", "857"), "021", (("en", 1),)),
    Place("New York", "NY", "United States", "US", ("212", "646"), "100", (("en", 8), ("es", 2))),
    Place("Burlington", "VT", "United States", "US", ("802",), "054", (("en", 9), ("fr", 1))),
    Place("Chicago", "IL", "United States", "US", ("312", "773"), "606", (("en", 1),)),
    Place("Miami", "FL", "United States", "US", ("305", "786"), "331", (("en", 6), ("es", 4))),
)


def _words(text: str, separator: str = " ") -> tuple[str, ...]:
    return tuple(text.split(separator))


MALE = _words(
    "Liam Noah William Thomas Félix Gabriel Samuel Olivier Nathan Jacob Lucas Benjamin Alexandre Étienne "
    "Mathieu James Ethan Daniel Marc Hugo Raphaël David Michael Carlos Wei Arjun Mohamed Kenji"
)
FEMALE = _words(
    "Emma Olivia Charlotte Chloé Léa Alice Florence Camille Sophie Juliette Ava Mia Amélie Isabelle Julie "
    "Sarah Emily Noémie Maya Zoé Laura Priya Fatima Mei Sofia Yuki Aisha Grace"
)
LAST_NAMES = _words(
    "Tremblay Gagnon Roy Côté Bouchard Gauthier Morin Lavoie Fortin Gagné Ouellet Pelletier Bélanger "
    "Lévesque Bergeron Leblanc Paquette Girard Simard Boucher Smith Brown Wilson Taylor Johnson Williams "
    "Martin Anderson Thompson White Li Wang Chen Singh Patel Nguyen Kim Garcia Rodriguez Lopez O'Brien "
    "MacDonald Campbell Stewart Murphy Kelly Rossi Silva Haddad Khan"
)
STREETS = _words(
    "Rue Saint-Denis,Boulevard René-Lévesque,Rue Sherbrooke,Avenue du Parc,Main Street,King Street,"
    "Queen Street,Maple Avenue,Oak Street,Church Street,Park Avenue,Rue Notre-Dame,Lakeshore Road,"
    "Chemin de la Côte-des-Neiges,Bay Street,Cedar Lane",
    ",",
)
COMPANY_WORDS = _words(
    "Northwind Laurentide Boréal Summit Riverside Pinnacle Evergreen Atlas Horizon Granite Lakeview "
    "Cascade Beacon Frontenac Redwood Aurora"
)
TRADES = _words(
    "Motors,Logistics,Construction,Dental,Realty,Consulting,Foods,Marine,Auto Group,Insurance,Software,"
    "Design,Plumbing,Equipment,Health",
    ",",
)
COMPANY_SUFFIXES = ("Inc.", "Ltd.", "LLC", "Corp.", "Ltée", "& Co.", "")
TITLES = _words(
    "Owner,Purchasing Manager,Operations Director,Office Manager,CFO,Fleet Manager,Sales Representative,"
    "Engineer,Teacher,Nurse,Accountant,Consultant",
    ",",
)
PERSONAL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example")
MODELS = ("Civic", "CR-V", "RAV4", "Corolla", "F-150", "Model 3", "Outback", "Mazda3", "Tucson", "Ioniq 5")
INTENTS = _words(
    "Test drive,Quote for,Trade-in appraisal for,Financing options for,Lease renewal,Information on,"
    "Fleet pricing for,Service package for",
    ",",
)
SOURCES = _words(
    "Web form,Web form,Walk-in,Phone call,Referral,Trade show,Email campaign,Facebook ad,Google Ads,Partner",
    ",",
)
FORMS = ("Contact us", "Book a test drive", "Get a quote", "Trade-in evaluation")
CATEGORIES = ("New vehicle", "Used vehicle", "Service", "Financing", "Fleet")
NOTES = (
    *_words(
        "Prefers to be called after 5 pm.|Asked for the brochure by e-mail.|Comparing with a competitor.|"
        "Needs financing approval first.|Wants delivery before winter.",
        "|",
    ),
    None,
    None,
)
STAGE_NAMES = ("New", "Contacted", "Qualified", "Proposal", "Negotiation", "Won", "Lost")
TASK_TYPES = ("CALL", "MEETING", "OTHER", "SMS", "FOLLOW_UP", "REMINDER", "LINKEDIN_MESSAGE", "DM")
APPOINTMENT_TYPES = ("SHOWROOM", "TEST_DRIVE", "DELIVERY", "SERVICE", "VIDEO_CALL")
EVENT_LABELS = {
    "CALL": "Call back",
    "MEETING": "Meeting",
    "OTHER": "Paperwork",
    "SMS": "Text",
    "FOLLOW_UP": "Follow up",
    "REMINDER": "Reminder",
    "LINKEDIN_MESSAGE": "LinkedIn message",
    "DM": "Reply to DM",
    "SHOWROOM": "Showroom visit",
    "TEST_DRIVE": "Test drive",
    "DELIVERY": "Delivery",
    "SERVICE": "Service visit",
    "VIDEO_CALL": "Video call",
}
ADDRESS_TYPES = ("HOME", "OFFICE", "BUSINESS", "SHIPPING", "PO_BOX", "PERMANENT", "TEMPORARY", "RESIDENTIAL")
ADDRESS_WEIGHTS = (60, 3, 3, 4, 3, 10, 3, 14)
THIRD_PARTY_FORMATS = {
    "CONECRM": "CUST-{:06d}",
    "CRMCOM": "CRM-{:07d}",
    "THINX": "TX{:08d}",
    "AKIXI": "AK-{:05d}",
}
DEPARTMENT_NAMES = ("Sales", "Service", "Parts", "Fleet", "Financing")
HISTORY = timedelta(days=730)  # contacts are spread over the last two years
