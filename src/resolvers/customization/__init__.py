"""ConeCRM customization: custom fields, custom labels, saved filters, filter metadata, query-builder
config and automations. None is a graph entity; each field is one call to the configured ConeCRM."""
