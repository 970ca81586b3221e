"""Every write to parts, their revisions and their documents.

`from shopdesk.parts import services` then `services.part_create(...)`,
`services.revision_release(...)`, `services.document_upload(...)`.
"""

from shopdesk.parts.services.documents import document_upload, shop_set_upload_limit
from shopdesk.parts.services.parts import part_create, part_update
from shopdesk.parts.services.revisions import revision_create, revision_release

__all__ = [
    "document_upload",
    "part_create",
    "part_update",
    "revision_create",
    "revision_release",
    "shop_set_upload_limit",
]
