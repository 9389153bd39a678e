"""Documents in S3-compatible object storage (AWS S3, MinIO, Ceph, ...) through boto3 (the ``s3`` extra).

boto3 is synchronous: each call runs in a worker thread. An object is written with one PUT of a known
length, so it exists whole or not at all; reads stream the body in chunks.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, BinaryIO

from gateway.settings import Settings
from gateway.storage.base import CHUNK_BYTES, StorageError, to_thread_to_the_end

try:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError
except ModuleNotFoundError as missing:  # pragma: no cover - the extra is installed in tests
    raise StorageError(
        "CRM_GATEWAY_DOCUMENTS_STORAGE=s3 needs the s3 extra: pip install 'crm-graph-gateway[s3]'"
    ) from missing

FAILURES = (BotoCoreError, ClientError)


class S3Storage:
    def __init__(self, client: Any, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Storage:
        client = boto3.client(
            "s3",
            endpoint_url=settings.documents_s3_endpoint_url,
            region_name=settings.documents_s3_region,
            aws_access_key_id=settings.documents_s3_access_key_id,
            aws_secret_access_key=settings.documents_s3_secret_access_key,
            config=Config(retries={"max_attempts": 3, "mode": "standard"}),
        )
        assert settings.documents_s3_bucket is not None  # the settings check it
        return cls(client, settings.documents_s3_bucket)

    async def save(self, key: str, source: BinaryIO, size: int, content_type: str) -> None:
        try:
            await to_thread_to_the_end(
                self.client.put_object,
                Bucket=self.bucket,
                Key=key,
                Body=source,
                ContentLength=size,
                ContentType=content_type,
            )
        except FAILURES as error:
            raise StorageError(f"the object store refused the document ({_reason(error)})") from None

    async def read(self, key: str) -> AsyncIterator[bytes]:
        try:
            answer = await asyncio.to_thread(self.client.get_object, Bucket=self.bucket, Key=key)
        except FAILURES as error:
            raise StorageError(f"the stored document cannot be read ({_reason(error)})") from None
        body = answer["Body"]
        try:
            while chunk := await asyncio.to_thread(body.read, CHUNK_BYTES):
                yield chunk
        finally:
            body.close()

    async def delete(self, key: str) -> None:
        try:
            await asyncio.to_thread(self.client.delete_object, Bucket=self.bucket, Key=key)
        except FAILURES as error:
            raise StorageError(f"the object store did not delete the document ({_reason(error)})") from None

    async def exists(self, key: str) -> bool:
        try:
            await asyncio.to_thread(self.client.head_object, Bucket=self.bucket, Key=key)
        except ClientError:
            return False
        return True

    async def close(self) -> None:
        await asyncio.to_thread(self.client.close)


def _reason(error: Exception) -> str:
    """The error's code alone: botocore's messages may quote the endpoint and request parameters."""
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "error"))
    return type(error).__name__
