"""The OpenAPI 3.1 description of the ninjs API, written by hand. A test checks that
every path here resolves and that the parameters match what the views read."""

from typing import Any

from herald.syndication.api.ninjs import NINJS_SCHEMA

PREFIX = "/api/ninjs/v2"


def _query(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "string", **schema},
    }


EDITION = _query(
    "edition",
    "Slug of an edition, e.g. japan-herald. Items on that edition, in its "
    "language and with links to its pages. On an edition's own host this "
    "defaults to that edition. A key limited to other editions gets 403.",
)
LIST_PARAMETERS = [
    EDITION,
    _query("section", "Slug of a section: items in that section."),
    _query("place", "Slug of a place: items about or datelined in that place."),
    _query(
        "updated_since",
        "ISO 8601 date and time with a UTC offset (a time without one is refused "
        "with 400). Turns the listing into a changes feed: every item changed at "
        "or after this time, oldest change first, with retracted stories as "
        "`pubstatus: canceled`. Pass the `versioncreated` of the last change you "
        "hold, less a minute, so that nothing committed late is missed.",
        format="date-time",
    ),
    _query(
        "provenance",
        "Where the story comes from. A news release is also labelled in the item "
        "(genre 'News release').",
        enum=["staff", "wire", "release"],
    ),
    _query(
        "cursor",
        "Opaque position from a previous page's `next`. Keep the other parameters "
        "the same. An altered cursor is refused with 400.",
    ),
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "description": "Items a page, from 1 to 100.",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100},
    },
]
ITEM_PARAMETERS = [
    {
        "name": "id",
        "in": "path",
        "required": True,
        "description": "The story's id (the `herald-id` altid of an item).",
        "schema": {"type": "integer"},
    },
    EDITION,
]


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": _rate_headers(),
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
        },
    }


def _rate_headers() -> dict[str, Any]:
    return {
        "X-RateLimit-Limit": {"$ref": "#/components/headers/RateLimitLimit"},
        "X-RateLimit-Remaining": {"$ref": "#/components/headers/RateLimitRemaining"},
        "X-RateLimit-Reset": {"$ref": "#/components/headers/RateLimitReset"},
    }


def _ok(description: str, schema: dict[str, Any], **headers: Any) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {
            "ETag": {"$ref": "#/components/headers/ETag"},
            "Last-Modified": {"$ref": "#/components/headers/LastModified"},
            **headers,
            **_rate_headers(),
        },
        "content": {"application/json": {"schema": schema}},
    }


COMMON_ERRORS = {
    "304": {"description": "Not modified: If-None-Match or If-Modified-Since matched."},
    "400": _error("A parameter is not valid; `error` says which."),
    "401": {
        "description": "No key, or a key that is unknown or revoked.",
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
        },
    },
    "403": _error("The key does not give access to that edition."),
    "405": _error("Only GET and HEAD are allowed."),
    "429": {
        **_error("The key's hourly rate limit is used up."),
        "headers": {
            "Retry-After": {
                "description": "Seconds until the next window.",
                "schema": {"type": "integer"},
            },
            **_rate_headers(),
        },
    },
}


def document(server: str) -> dict[str, Any]:
    """The OpenAPI document, with `server` (scheme and host) as its server."""
    item_ref = {"$ref": "#/components/schemas/NinjsItem"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Herald ninjs API",
            "version": "2.0.0",
            "summary": "Herald's published stories as IPTC ninjs 2.2 items.",
            "description": (
                "Every item validates against the IPTC ninjs 2.2 schema. An item's "
                "`uri` (urn:herald:story:<id>) is the same on every edition. "
                "Embargoed, draft and scheduled stories are never served. "
                "Provenance is in `infosources`: the entry with role `originator` "
                "has the literal staff, wire or release. Responses are private "
                "to a key: they carry ETag and Last-Modified and answer "
                "conditional requests with 304."
            ),
        },
        "servers": [{"url": server}],
        "security": [{"bearer": []}, {"apiKey": []}],
        "paths": {
            f"{PREFIX}/items": {
                "get": {
                    "operationId": "listItems",
                    "summary": "A page of items: latest first, or changes since.",
                    "parameters": LIST_PARAMETERS,
                    "responses": {
                        "200": _ok(
                            "A page of items. `next` is the URL of the next page, "
                            "or null on the last one.",
                            {"$ref": "#/components/schemas/ItemList"},
                            Link={
                                "description": 'The next page: <url>; rel="next".',
                                "schema": {"type": "string"},
                            },
                        ),
                        **COMMON_ERRORS,
                    },
                }
            },
            f"{PREFIX}/items/{{id}}": {
                "get": {
                    "operationId": "getItem",
                    "summary": "One item; a retracted story answers as canceled.",
                    "parameters": ITEM_PARAMETERS,
                    "responses": {
                        "200": _ok("The item.", item_ref),
                        **COMMON_ERRORS,
                        "404": _error(
                            "No such item, or not one this key may read: drafts, "
                            "scheduled and embargoed stories answer 404."
                        ),
                    },
                }
            },
            f"{PREFIX}/openapi.json": {
                "get": {
                    "operationId": "getOpenApi",
                    "summary": "This document.",
                    "security": [],
                    "parameters": [],
                    "responses": {
                        "200": {
                            "description": "The OpenAPI document.",
                            "content": {"application/json": {"schema": {}}},
                        }
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Authorization: Bearer <key>. Keys are made "
                    "in the desk, one or more per partner.",
                },
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
            },
            "headers": {
                "ETag": {
                    "description": "Entity tag of the body.",
                    "schema": {"type": "string"},
                },
                "LastModified": {
                    "description": "The latest change the response reflects.",
                    "schema": {"type": "string"},
                },
                "RateLimitLimit": {
                    "description": "Requests this key may make an hour.",
                    "schema": {"type": "integer"},
                },
                "RateLimitRemaining": {
                    "description": "Requests left in this hour's window.",
                    "schema": {"type": "integer"},
                },
                "RateLimitReset": {
                    "description": "Seconds until this hour's window ends.",
                    "schema": {"type": "integer"},
                },
            },
            "schemas": {
                "NinjsItem": {"$ref": NINJS_SCHEMA},
                "ItemList": {
                    "type": "object",
                    "required": ["items", "next"],
                    "properties": {
                        "items": {"type": "array", "items": item_ref},
                        "next": {"type": ["string", "null"], "format": "uri"},
                    },
                },
                "Error": {
                    "type": "object",
                    "required": ["error", "status"],
                    "properties": {
                        "error": {"type": "string"},
                        "status": {"type": "integer"},
                    },
                },
            },
        },
    }
