"""Opaque global IDs: the gateway's codec (``gateway.globalids``), where the resolvers have always
imported it from."""

from gateway.globalids import InvalidId, decode_global_id, decode_id_of, encode_global_id

__all__ = ["InvalidId", "decode_global_id", "decode_id_of", "encode_global_id"]
