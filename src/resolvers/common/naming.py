"""Python names to GraphQL names, for error paths."""


def to_camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def to_snake(name: str) -> str:
    """``Contact`` -> ``contact``, ``contactCreate`` -> ``contact_create``."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
