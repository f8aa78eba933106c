"""Index the stories' place and tag links by (place or tag, story), newest last.

Related stories read the newest stories of each place and tag of a story. Django's
own indexes on these through tables are (story, place) and (place) alone, so that
read sorted every link of the place by story id after fetching each from the table;
with these it walks the newest links of the index and stops. The tables belong to
`stories`; the indexes serve discovery only, so they are made here, for both
databases alike.
"""

from django.db import migrations

INDEXES = (
    ("discovery_story_places_newest", "stories_story_places", "place_id"),
    ("discovery_story_tags_newest", "stories_story_tags", "tag_id"),
)


class Migration(migrations.Migration):
    dependencies = [
        ("discovery", "0003_word_pairs"),
        ("stories", "0003_sitemap_indexes"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX {name} ON {table} ({column}, story_id)",
            reverse_sql=f"DROP INDEX {name}",
        )
        for name, table, column in INDEXES
    ]
