"""Store each indexed story's term counts for related stories (`StoryTerms`).

Empty at first: `herald rebuild_search_index` fills it, and until then related
stories tokenise a story's text as before.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('discovery', '0004_sharing_indexes'),
        ('stories', '0003_sitemap_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='StoryTerms',
            fields=[
                ('story', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='stories.story')),
                ('modified_at', models.DateTimeField(help_text="The story's, when counted.")),
                ('counts', models.TextField()),
            ],
            options={
                'verbose_name_plural': 'story terms',
            },
        ),
    ]
