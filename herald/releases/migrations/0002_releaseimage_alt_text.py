"""A news release image's alt text: asked of every new upload; empty on those sent
before."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("releases", "0001_news_releases"),
    ]

    operations = [
        migrations.AddField(
            model_name="releaseimage",
            name="alt_text",
            field=models.CharField(
                blank=True,
                help_text="What the image shows, for readers who cannot see it.",
                max_length=250,
            ),
        ),
    ]
