"""Drop the one-column indexes of story.primary_section and story.origin_edition:
story_section_public and story_origin_public lead with those columns and serve
every query, join and PROTECT check that used them."""

import django.db.models.deletion
from django.db import migrations, models

# Django's own names for the indexes (the same on SQLite and PostgreSQL). A plain
# AlterField would rebuild the whole story table on SQLite to drop them.
INDEXES = {
    "stories_story_primary_section_id_9f8a54bf": "primary_section_id",
    "stories_story_origin_edition_id_8317dc0c": "origin_edition_id",
}


class Migration(migrations.Migration):
    dependencies = [
        ("editions", "0003_edition_newsletter_hour"),
        ("stories", "0003_sitemap_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql=f'DROP INDEX "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "stories_story" ("{column}")',
                )
                for name, column in INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="story",
                    name="origin_edition",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="origin_stories",
                        to="editions.edition",
                    ),
                ),
                migrations.AlterField(
                    model_name="story",
                    name="primary_section",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="primary_stories",
                        to="stories.section",
                    ),
                ),
            ],
        ),
    ]
