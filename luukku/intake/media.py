"""Image uploads for feedback and service requests (the API's media[] and the public form).

What a customer uploads is untrusted and often personal, so every image is:

- content-sniffed: opened and verified with Pillow; the file name and the client's content type
  are ignored. Only JPEG, PNG and WebP are accepted (Pillow reads no HEIC without a plug-in, so a
  phone's HEIC photo gets a clear "use JPEG" error rather than a silent failure);
- size-limited twice: bytes (`INTAKE_MEDIA_MAX_BYTES`, 10 MB) before anything is decoded, and
  pixels (`INTAKE_MEDIA_MAX_PIXELS`, 40 megapixels) read from the header before the pixels are
  decoded, which stops decompression bombs (a small file that inflates to gigabytes);
- re-encoded: the EXIF orientation is applied to the pixels and then every metadata block (EXIF
  with camera serial numbers and GPS position, XMP, PNG text chunks, comments) is dropped.

Keeping the location: when the customer ticks "keep the photo's location", only the EXIF GPS
block is written back. Orientation is not kept because it has already been applied to the
pixels (writing it back would turn the image twice); nothing else (camera make, serial number,
timestamps, thumbnails) is ever kept.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
DEFAULT_MAX_FILES = 5

# Pillow format name → (stored format, content type, file extension). A multi-picture JPEG
# (MPO, what many phones write) is stored as a plain JPEG of its first picture.
_FORMATS: dict[str, tuple[str, str, str]] = {
    "JPEG": ("JPEG", "image/jpeg", "jpg"),
    "MPO": ("JPEG", "image/jpeg", "jpg"),
    "PNG": ("PNG", "image/png", "png"),
    "WEBP": ("WEBP", "image/webp", "webp"),
}
ACCEPTED_CONTENT_TYPES: tuple[str, ...] = ("image/jpeg", "image/png", "image/webp")
JPEG_QUALITY = 85


def max_bytes() -> int:
    return int(getattr(settings, "INTAKE_MEDIA_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_pixels() -> int:
    return int(getattr(settings, "INTAKE_MEDIA_MAX_PIXELS", DEFAULT_MAX_PIXELS))


def max_files() -> int:
    """How many images one request may carry."""
    return int(getattr(settings, "INTAKE_MEDIA_MAX_FILES", DEFAULT_MAX_FILES))


@dataclass(frozen=True)
class ProcessedImage:
    """A cleaned image, ready to be stored: the bytes and what a model needs to know of them."""

    content: bytes
    content_type: str
    extension: str
    width: int
    height: int
    original_name: str
    kept_location: bool
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def file_name(self) -> str:
        """A storage name that says nothing of the customer's own file name."""
        return f"{self.sha256[:32]}.{self.extension}"

    def as_file(self) -> ContentFile[bytes]:
        """The content as a Django file, for `FileField.save()` or a model's file field."""
        return ContentFile(self.content, name=self.file_name)


def process_image(
    upload: IO[bytes], *, name: str = "", keep_location: bool = False
) -> ProcessedImage:
    """Check and clean one uploaded image; raise ValidationError saying what is wrong.

    `upload` is any binary file object (an UploadedFile, a BytesIO); `name` is the customer's
    file name, kept only for the staff to see.
    """
    name = name or getattr(upload, "name", "") or ""
    data = _read_limited(upload)
    image = _open_verified(data)
    source_format = image.format or ""
    stored_format, content_type, extension = _FORMATS[source_format]
    gps = _gps_block(image) if keep_location else {}

    try:
        cleaned = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError) as error:
        raise _unreadable() from error
    content = _encode(cleaned, stored_format, gps)
    return ProcessedImage(
        content=content,
        content_type=content_type,
        extension=extension,
        width=cleaned.width,
        height=cleaned.height,
        original_name=name[:255],
        kept_location=bool(gps),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def _read_limited(upload: IO[bytes]) -> bytes:
    limit = max_bytes()
    declared = getattr(upload, "size", None)
    if isinstance(declared, int) and declared > limit:
        raise _too_large(limit)
    if hasattr(upload, "seek"):
        upload.seek(0)
    # One byte more than the limit tells a file at the limit from a larger one.
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _too_large(limit)
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    return data


def _open_verified(data: bytes) -> Image.Image:
    """Open `data` as an accepted image whose pixels are within the limit."""
    with warnings.catch_warnings():
        # Pillow only warns between its own limit and twice that; here a bomb is an error.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            probe = Image.open(io.BytesIO(data))
            if probe.format not in _FORMATS:
                raise ValidationError(
                    _(
                        "The file is a %(format)s image. Only JPEG, PNG and WebP images are "
                        "accepted."
                    ),
                    code="format",
                    params={"format": probe.format},
                )
            _check_pixels(probe.width, probe.height)
            probe.verify()
            # verify() leaves the image unusable: open it again to decode the pixels.
            image = Image.open(io.BytesIO(data))
            image.load()
        except ValidationError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise _too_many_pixels() from error
        except UnidentifiedImageError as error:
            raise ValidationError(
                _("The file is not an image. Only JPEG, PNG and WebP images are accepted."),
                code="not_image",
            ) from error
        except (OSError, ValueError, SyntaxError, EOFError) as error:
            raise _unreadable() from error
    return image


def _check_pixels(width: int, height: int) -> None:
    if width * height > max_pixels():
        raise _too_many_pixels()


def _gps_block(image: Image.Image) -> dict[int, object]:
    try:
        return dict(image.getexif().get_ifd(ExifTags.IFD.GPSInfo))
    except (OSError, ValueError, SyntaxError, KeyError):
        # A damaged EXIF block is dropped like any other: the image itself is fine.
        return {}


def _encode(image: Image.Image, image_format: str, gps: dict[int, object]) -> bytes:
    if image_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif image_format == "WEBP" and image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    clean = image.copy()
    # Only transparency survives from the source's info: EXIF, XMP, ICC-embedded comments and
    # PNG text chunks are all left behind.
    clean.info = {key: value for key, value in image.info.items() if key == "transparency"}
    options: dict[str, object] = {}
    if image_format in ("JPEG", "WEBP"):
        options["quality"] = JPEG_QUALITY
    if gps:
        exif = Image.Exif()
        exif[ExifTags.IFD.GPSInfo] = gps
        options["exif"] = exif.tobytes()
    buffer = io.BytesIO()
    clean.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def _too_large(limit: int) -> ValidationError:
    return ValidationError(
        _("The file is too large: the largest accepted image is %(megabytes)s MB."),
        code="too_large",
        params={"megabytes": limit // (1024 * 1024)},
    )


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _("The image is too large: the largest accepted image is %(megapixels)s megapixels."),
        code="too_many_pixels",
        params={"megapixels": max_pixels() // 1_000_000},
    )


def _unreadable() -> ValidationError:
    return ValidationError(
        _("The image is damaged or incomplete and cannot be read."), code="damaged"
    )
