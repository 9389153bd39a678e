"""Contact profile photos in CRM.COM (seed 003 contact_information/profile_photo view L3709, add L3822,
remove L3948).

``view`` is per contact and no other method shows a photo (``show`` and ``list`` have no photo member),
so the photos of a page of contacts cost one ``view`` per contact, at most ``max_concurrency`` at a time
and deduplicated per request. Its answer names the image's ``file_content_url``; the image itself is
``{server}{file_content_url}&token={token}`` (L3810-3820), which the gateway streams through its own
checked route: neither the URL nor the token reaches the caller. ``server`` is the origin of the
upstream's ``base_url`` (the seed's example: https://r11qa.crm.com for .../crmapi/rest/v2), and only a
path is accepted as ``file_content_url``, so the token never goes to another host. ``add`` is a
multipart/form-data post with the file as ``file`` and the identifier as ``id=<hex>`` (the seed's curl
example, L3904-3910); ``remove`` a JSON post (L4016-4019).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any
from uuid import UUID

import httpx

from gateway.backends.photos import NewProfilePhoto, PhotoGone, PhotoOrFailure, ProfilePhotoRecord
from gateway.backends.rest.crmcom.api import CrmcomApi, is_not_found
from gateway.backends.rest.crmcom.mapping import crm_id
from gateway.backends.rest.errors import UpstreamBadResponse, UpstreamError, UpstreamUnavailable

if TYPE_CHECKING:
    from gateway.backends.rest.crmcom.backend import CrmcomBackend

VIEW = "contact_information/profile_photo/view"
ADD = "contact_information/profile_photo/add"
REMOVE = "contact_information/profile_photo/remove"


class CrmcomPhotoReads:
    """Mixed into ``CrmcomBackend``, which supplies the API, the tenant check and the call slots."""

    upstream_photos = True  # CRM.COM keeps the bytes and serves them
    api: CrmcomApi
    serves_tenant: bool
    holds_contacts: bool
    _slots: asyncio.Semaphore

    async def profile_photos(self, contact_ids: Sequence[UUID]) -> Mapping[UUID, PhotoOrFailure]:
        """One view per contact: a view that fails is that contact's failure, not the others'."""
        if not self.holds_contacts or not self.serves_tenant:
            return {}
        wanted = list(dict.fromkeys(contact_ids))
        found = await asyncio.gather(*(self._view_or_failure(contact_id) for contact_id in wanted))
        return {
            contact_id: photo for contact_id, photo in zip(wanted, found, strict=True) if photo is not None
        }

    async def _view_or_failure(self, contact_id: UUID) -> PhotoOrFailure | None:
        try:
            return await self._view(contact_id)
        except UpstreamError as error:
            return error

    async def _view(self, contact_id: UUID) -> ProfilePhotoRecord | None:
        params = {"contact_information_identifier": f"id={crm_id(contact_id)}"}
        async with self._slots:
            try:
                data = await self.api.get(VIEW, params)
            except UpstreamError as error:
                if is_not_found(error):
                    return None
                raise
        return photo_record(self.api.client.name, contact_id, data)

    async def photo_content(self, photo: ProfilePhotoRecord) -> AsyncIterator[bytes]:
        """The image's bytes from CRM.COM's servlet. The servlet is outside the Web API and refuses a
        token that expired since the view (here HTTP 404) without saying why: on a refusal the view is
        asked again, which renews an expired token as every Web API call does (``CrmcomApi``), and the
        image is asked for once more only when the token was renewed. No login for an image that is
        simply gone: a contact without a photo on the second look is ``PhotoGone``."""
        token = await self.api.token()
        async with self._servlet(photo, token) as response:
            if response.status_code == 200:
                async for chunk in response.aiter_bytes():
                    yield chunk
                return
            status = response.status_code
        again = await self._view(photo.contact_id)
        if again is None:  # removed since the view that named the image
            raise PhotoGone(f"contact {photo.contact_id} has no profile photo any more")
        renewed = await self.api.token()
        if renewed == token:
            raise UpstreamUnavailable(self.api.client.name, f"CRM.COM answered HTTP {status} to the photo")
        async with self._servlet(again, renewed) as response:
            if response.status_code != 200:
                raise UpstreamUnavailable(
                    self.api.client.name, f"CRM.COM answered HTTP {response.status_code} to the photo"
                )
            async for chunk in response.aiter_bytes():
                yield chunk

    def _servlet(self, photo: ProfilePhotoRecord, token: str) -> AbstractAsyncContextManager[httpx.Response]:
        """``{server}{file_content_url}&token={token}`` (L3810-3820), streamed."""
        assert photo.content_url is not None
        client = self.api.client
        url = httpx.URL(client.config.base_url).copy_with(raw_path=photo.content_url.encode("ascii"))
        params = {**dict(url.params), "token": token}
        return client.stream(str(url.copy_with(query=None)), cost=self.api.cost, params=params)


def photo_record(system: str, contact_id: UUID, data: Any) -> ProfilePhotoRecord | None:
    """The view's ``{file_name, file_content_url, file_mime_type}`` (L3793-3798); None when it names no
    image (a contact without a photo: members null or absent, or no data)."""
    if not isinstance(data, dict) or not data.get("file_content_url"):
        return None
    url, name, mime = data.get("file_content_url"), data.get("file_name"), data.get("file_mime_type")
    if not isinstance(url, str) or not url.startswith("/") or url.startswith("//") or not url.isascii():
        raise UpstreamBadResponse(system, "CRM.COM's profile photo URL is not a path on its server")
    return ProfilePhotoRecord(
        contact_id=contact_id,
        file_name=name if isinstance(name, str) and name else "profile-photo",
        content_type=mime if isinstance(mime, str) and mime else "application/octet-stream",
        content_url=url,
    )


class CrmcomPhotoWrites:
    """Mixed into ``CrmcomWriter``: each call is one POST, never resent (CRM.COM has no idempotency key)."""

    backend: CrmcomBackend

    async def put_profile_photo(
        self, contact_id: UUID, photo: NewProfilePhoto, storage_key: str | None, actor: str
    ) -> ProfilePhotoRecord | None:
        fields = {"contact_information_identifier": f"id={crm_id(contact_id)}"}
        files = {"file": (photo.file_name, photo.source, photo.content_type)}
        await self.backend.api.post_form(ADD, fields, files)
        return None  # CRM.COM replaced the one it had itself

    async def remove_profile_photo(self, contact_id: UUID) -> ProfilePhotoRecord | None:
        await self.backend.api.post(REMOVE, {"contact_information_identifier": {"id": crm_id(contact_id)}})
        return None
