"""The picture library: Picture (the upload re-encoded, its words and focal point),
and each story image's link to the picture it uses."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import herald.stories.models


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0004_drop_fk_indexes_covered_by_composites"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="storyimage",
            name="alt_text",
            field=models.CharField(blank=True, max_length=250),
        ),
        migrations.CreateModel(
            name="Picture",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "original",
                    models.ImageField(
                        max_length=200, upload_to=herald.stories.models.picture_path
                    ),
                ),
                (
                    "preview",
                    models.ImageField(
                        help_text="Small, uncropped.",
                        max_length=200,
                        upload_to=herald.stories.models.picture_path,
                    ),
                ),
                ("caption", models.CharField(max_length=400)),
                ("credit", models.CharField(max_length=160)),
                (
                    "alt_text",
                    models.CharField(
                        help_text="What it shows, for readers who cannot see it.",
                        max_length=250,
                    ),
                ),
                (
                    "focal_x",
                    models.FloatField(
                        default=0.5,
                        validators=[
                            django.core.validators.MinValueValidator(0.0),
                            django.core.validators.MaxValueValidator(1.0),
                        ],
                    ),
                ),
                (
                    "focal_y",
                    models.FloatField(
                        default=0.5,
                        validators=[
                            django.core.validators.MinValueValidator(0.0),
                            django.core.validators.MaxValueValidator(1.0),
                        ],
                    ),
                ),
                (
                    "width",
                    models.PositiveIntegerField(help_text="Of the library's copy."),
                ),
                (
                    "height",
                    models.PositiveIntegerField(help_text="Of the library's copy."),
                ),
                (
                    "uploaded_at",
                    models.DateTimeField(
                        db_index=True, default=django.utils.timezone.now
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-uploaded_at", "-id"],
            },
        ),
        migrations.AddField(
            model_name="storyimage",
            name="picture",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="uses",
                to="stories.picture",
            ),
        ),
        migrations.AddConstraint(
            model_name="picture",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("focal_x__gte", 0),
                    ("focal_x__lte", 1),
                    ("focal_y__gte", 0),
                    ("focal_y__lte", 1),
                ),
                name="picture_focal_point_in_frame",
            ),
        ),
    ]
