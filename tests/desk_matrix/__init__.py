"""The desk walk's matrix, generated rather than listed: who walks (a visitor, every
role, a superuser), what they walk over (a story in every workflow state, a news
release in every moderation state, samples of every other model in the desk), and
every cell the admin registry offers on it (list, filter choice, search, add,
change, history, delete, the admins' own pages, workflow buttons and list actions),
each with whether the walker may do it as the admins' permissions and the workflows
say. A new role, state, registered model, filter, admin URL or action becomes new
cells without an edit here.

`world` builds what is walked, `cells` generates the cells, `walking` makes each
request and judges the answer, `snapshots` sees what a request changed."""

from tests.desk_matrix.cells import (
    DECIDABLE,
    DECISION_TARGETS,
    DECISIONS,
    Cell,
    May,
    cells,
    skipped_patterns,
)
from tests.desk_matrix.walking import Answer, walk
from tests.desk_matrix.world import (
    STORY_STATES,
    SUPERUSER,
    VISITOR,
    WALKERS,
    World,
    build_world,
    same_as,
)

__all__ = [
    "DECIDABLE",
    "DECISIONS",
    "DECISION_TARGETS",
    "STORY_STATES",
    "SUPERUSER",
    "VISITOR",
    "WALKERS",
    "Answer",
    "Cell",
    "May",
    "World",
    "build_world",
    "cells",
    "same_as",
    "skipped_patterns",
    "walk",
]
