"""contact_information/profile_photo view, add and remove (seed 003 lines 3709-4020), and the image
servlet the view's ``file_content_url`` names (lines 3796, 3810-3820).

- view answers ``{file_name, file_content_url, file_mime_type}`` (lines 3793-3798); a contact without a
  photo answers those members empty (the seed shows no such answer: this simulator's reading).
- add is a multipart/form-data post (line 3828) with the image as ``file`` and the identifier as
  ``id=<hex>`` (the curl example, lines 3904-3910); the seed shows no answer for it, so this simulator
  answers the photo as view does. A file that is no image is refused with INVALID_VALUE (an assumption:
  the seed names no failure).
- remove is a JSON post (lines 4016-4019); "Response Data: Not applicable" (lines 3996-3998): ``data``
  is null.
- ``GET /crm/ImageDownloadServlet?id=<id>&token=<token>`` answers the image's bytes (lines 3816-3820),
  to a token of the organisation that holds it; anything else is HTTP 404.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from simulators.crmcom import codes
from simulators.crmcom.contacts import show
from simulators.crmcom.handlers import ApiError, Call, FilePart, Json
from simulators.crmcom.store import CrmcomStore, new_id

SERVLET = "/crm/ImageDownloadServlet"
EMPTY = {"file_name": None, "file_content_url": None, "file_mime_type": None}


def _view_of(photo: Json | None) -> Json:
    if photo is None:
        return dict(EMPTY)
    url = f"{SERVLET}?id={photo['image_id']}"
    return {"file_name": photo["file_name"], "file_content_url": url, "file_mime_type": photo["mime"]}


async def photo_view(call: Call) -> Json:
    record = await show(call)
    return _view_of(call.org.photos.get(record["id"]))


async def photo_add(call: Call) -> Json:
    record = await show(call)
    file = call.params.get("file")
    if not isinstance(file, FilePart) or not file.content:
        raise ApiError(codes.MANDATORY_FIELD_MISSING, "file is mandatory (a multipart file part)")
    mime = (file.content_type or "").split(";")[0].strip().lower()
    if not mime.startswith("image/"):
        raise ApiError(codes.INVALID_VALUE, "file must be an image")
    image_id = new_id()
    name = f"{image_id}_{file.filename or 'image'}"  # as line 3795 shows it
    photo = {"image_id": image_id, "file_name": name, "mime": mime, "content": file.content}
    call.org.photos[record["id"]] = photo
    return _view_of(photo)


async def photo_remove(call: Call) -> None:
    record = await show(call)
    call.org.photos.pop(record["id"], None)


def image_servlet(store: CrmcomStore) -> Callable[[Request], Awaitable[Response]]:
    async def serve(request: Request) -> Response:
        organisation = store.tokens.get(request.query_params.get("token") or "")
        image_id = request.query_params.get("id")
        photos = store.org(organisation).photos.values() if organisation else ()
        found = next((photo for photo in photos if photo["image_id"] == image_id), None)
        if found is None:
            return PlainTextResponse("no such image", status_code=404)
        return Response(found["content"], media_type=found["mime"])

    return serve


PHOTO_ROUTES = (
    ("contact_information/profile_photo/view", "GET", photo_view),
    ("contact_information/profile_photo/add", "POST", photo_add),
    ("contact_information/profile_photo/remove", "POST", photo_remove),
)
