"""Who may see and change the ingest desk."""

from herald.core.roles import Role

EDITORS = frozenset({Role.EDITOR, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})
