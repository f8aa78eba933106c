"""Every change to a story's workflow state, text or corrections goes through a verb
here, so the desk, the worker and code behave alike and every change is recorded.

The app's action API: call these as `actions.publish_story(...)`; the modules
beside this one hold them by role."""

from herald.stories.actions.create import (
    create_story,
    publish_release_story,
    update_story,
)
from herald.stories.actions.images import (
    attach_image,
    attach_picture,
    can_change_picture,
    create_picture,
    delete_picture,
    remove_story_image,
    reorder_story_images,
    require_alt_text,
    update_picture,
    update_story_image,
)
from herald.stories.actions.wire import (
    create_wire_story,
    update_wire_story,
    withdraw_expired_stories,
    withdraw_wire_story,
)
from herald.stories.actions.workflow import (
    add_correction,
    publish_due_stories,
    publish_story,
    retract_story,
    return_to_draft,
    schedule_story,
    submit_for_review,
)

__all__ = [
    "add_correction",
    "attach_image",
    "attach_picture",
    "can_change_picture",
    "create_picture",
    "create_story",
    "create_wire_story",
    "delete_picture",
    "publish_due_stories",
    "publish_release_story",
    "publish_story",
    "remove_story_image",
    "reorder_story_images",
    "require_alt_text",
    "retract_story",
    "return_to_draft",
    "schedule_story",
    "submit_for_review",
    "update_picture",
    "update_story",
    "update_story_image",
    "update_wire_story",
    "withdraw_expired_stories",
    "withdraw_wire_story",
]
