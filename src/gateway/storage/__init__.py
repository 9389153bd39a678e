"""Where uploaded documents' bytes live: one protocol (``base.BlobStorage``), a local directory
(``local``, the default) and S3-compatible object storage (``s3``, the ``s3`` extra)."""

from __future__ import annotations

from gateway.settings import Settings
from gateway.storage.base import BlobStorage, StorageError
from gateway.storage.local import LocalStorage

__all__ = ["BlobStorage", "StorageError", "create_storage"]


def create_storage(settings: Settings) -> BlobStorage:
    if settings.documents_storage == "s3":
        from gateway.storage.s3 import S3Storage  # boto3 is an optional extra

        return S3Storage.from_settings(settings)
    return LocalStorage(settings.documents_dir)
