"""Image policy: which Magento images go to AliExpress, and how many.

Seed 004: the main image comes from a chosen image attribute (Magento's base image role
``image`` by default, or a custom one such as ``marketplace_image``); a default image stands in
when the product has none; the gallery count caps how many images are sent, the main one
included ("20 gallery images, upload only 5" -> 5 in all).

AliExpress accepts at most six images per product (``main_image_urls_list`` of
``aliexpress.solution.product.post``), so the count is capped there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from webapp.policies.base import (
    EMPTY_CONTEXT,
    Problem,
    Reader,
    ValidationContext,
    check_attribute_code,
    check_title,
)

MAX_GALLERY_IMAGES = 6
DEFAULT_MAIN_IMAGE_ATTRIBUTE = "image"

# A default image is a URL, a Magento media path (/m/y/my.jpg) or the stored path of an uploaded
# file (relative, never climbing out with ".."). Seed 004 allows JPG and PNG.
_URL_RE = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)
_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
_ALLOWED_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


@dataclass(frozen=True, slots=True)
class ImageSettings:
    """Settings of an image policy; the defaults are the "Default Image Policy"."""

    TYPE_CODE: ClassVar[str] = "image"

    title: str = "Default Image Policy"
    main_image_attribute: str = DEFAULT_MAIN_IMAGE_ATTRIBUTE
    default_image: str | None = None
    gallery_image_count: int = MAX_GALLERY_IMAGES

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ImageSettings:
        read = Reader(data)
        defaults = cls()
        settings = cls(
            title=read.text("title", defaults.title),
            main_image_attribute=read.text("main_image_attribute", defaults.main_image_attribute),
            default_image=read.opt_text("default_image", defaults.default_image),
            gallery_image_count=read.integer("gallery_image_count", defaults.gallery_image_count),
        )
        read.finish()
        return settings

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "main_image_attribute": self.main_image_attribute,
            "default_image": self.default_image,
            "gallery_image_count": self.gallery_image_count,
        }

    def validate(self, context: ValidationContext | None = None) -> list[Problem]:
        return validate_image(self, context)


def validate_image(
    settings: ImageSettings, context: ValidationContext | None = None
) -> list[Problem]:
    context = context or EMPTY_CONTEXT
    problems: list[Problem] = []
    check_title(problems, settings.title)
    check_attribute_code(
        problems,
        "main_image_attribute",
        settings.main_image_attribute,
        "Main image attribute",
        context,
    )
    if settings.default_image is not None:
        reference = settings.default_image
        path = reference.split("?", 1)[0].lower()
        if any(ch.isspace() for ch in reference):
            problems.append(
                Problem("default_image", "Default image must be a URL or file path without spaces.")
            )
        elif not _URL_RE.match(reference) and (_SCHEME_RE.match(reference) or ".." in reference):
            problems.append(
                Problem(
                    "default_image",
                    "Default image must be an http(s) URL, an image of the Magento media gallery "
                    "or an uploaded file.",
                )
            )
        elif not path.endswith(_ALLOWED_IMAGE_SUFFIXES):
            problems.append(Problem("default_image", "Default image must be a JPG or PNG file."))
    if settings.gallery_image_count < 1:
        problems.append(
            Problem("gallery_image_count", "Gallery images must be at least 1 (the main image).")
        )
    elif settings.gallery_image_count > MAX_GALLERY_IMAGES:
        problems.append(
            Problem(
                "gallery_image_count",
                f"Gallery images can be at most {MAX_GALLERY_IMAGES}: AliExpress accepts no more "
                "images per product.",
            )
        )
    return problems
