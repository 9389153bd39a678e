"""Opaque keyset cursors: the gateway's codec (``gateway.cursors``), where the resolvers have always
imported it from."""

from gateway.cursors import decode_cursor, encode_cursor, encode_signed_cursor, order_signature

__all__ = ["decode_cursor", "encode_cursor", "encode_signed_cursor", "order_signature"]
