"""Uploaded images are sniffed, limited and cleaned of the customer's location."""

from __future__ import annotations

import io
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, PngImagePlugin

from luukku.intake.media import process_image

GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (62.0, 53.0, 32.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (27.0, 40.0, 37.0),
}


def phone_photo(
    image_format: str = "JPEG", *, size: tuple[int, int] = (40, 20), orientation: int = 6
) -> bytes:
    """A photo as a phone writes it: camera make, serial number, orientation and GPS."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Phone Maker"
    exif[ExifTags.Base.BodySerialNumber] = "SN-123456"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = GPS
    image = Image.new("RGB", size, "red")
    # A blue left half tells whether the orientation was applied.
    image.paste((0, 0, 255), (0, 0, size[0] // 2, size[1]))
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, exif=exif.tobytes())
    return buffer.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def rgb_at(image: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    pixel = image.convert("RGB").getpixel(xy)
    assert isinstance(pixel, tuple)
    return pixel


def reopen(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


@pytest.mark.parametrize(
    ("image_format", "content_type", "extension"),
    [("JPEG", "image/jpeg", "jpg"), ("PNG", "image/png", "png"), ("WEBP", "image/webp", "webp")],
)
def test_the_location_and_camera_details_are_stripped_by_default(
    image_format, content_type, extension
):
    result = process_image(upload(phone_photo(image_format)))

    stored = reopen(result.content)
    assert stored.format == image_format
    assert result.content_type == content_type
    assert result.extension == extension
    assert result.file_name.endswith(f".{extension}")
    assert dict(stored.getexif()) == {}
    assert stored.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert b"SN-123456" not in result.content
    assert b"Phone Maker" not in result.content
    assert result.kept_location is False


def test_the_orientation_is_applied_to_the_pixels():
    # Orientation 6: the camera was turned 90° clockwise; the stored image is upright.
    result = process_image(upload(phone_photo(size=(40, 20), orientation=6)))

    stored = reopen(result.content)
    assert (result.width, result.height) == (20, 40) == stored.size
    # The blue left half is now the top half.
    top = rgb_at(stored, (10, 5))
    bottom = rgb_at(stored, (10, 35))
    assert top[2] > 200
    assert top[0] < 60
    assert bottom[0] > 200
    assert bottom[2] < 60


def test_keeping_the_location_keeps_only_the_gps_block():
    result = process_image(upload(phone_photo()), keep_location=True)

    exif = reopen(result.content).getexif()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    assert gps[ExifTags.GPS.GPSLatitudeRef] == "N"
    assert tuple(float(part) for part in gps[ExifTags.GPS.GPSLatitude]) == (62.0, 53.0, 32.0)
    assert tuple(float(part) for part in gps[ExifTags.GPS.GPSLongitude]) == (27.0, 40.0, 37.0)
    assert ExifTags.Base.Make not in exif
    assert ExifTags.Base.Orientation not in exif
    assert b"SN-123456" not in result.content
    assert result.kept_location is True


def test_keeping_the_location_of_a_photo_without_one_says_so():
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10), "green").save(buffer, format="PNG")

    result = process_image(upload(buffer.getvalue(), "a.png"), keep_location=True)

    assert result.kept_location is False


def test_png_text_chunks_are_dropped():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Matti Meikäläinen, 040 123 4567")
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10), "green").save(buffer, format="PNG", pnginfo=info)

    result = process_image(upload(buffer.getvalue(), "a.png", "image/png"))

    assert b"Meik" not in result.content
    assert reopen(result.content).info.get("Author") is None


def test_the_content_decides_not_the_name_or_the_declared_type():
    png = io.BytesIO()
    Image.new("RGB", (10, 10), "green").save(png, format="PNG")

    result = process_image(upload(png.getvalue(), "holiday.jpg", "image/jpeg"))

    assert result.content_type == "image/png"
    assert result.original_name == "holiday.jpg"
    assert result.file_name.endswith(".png")
    assert "holiday" not in result.file_name


def test_a_file_that_is_not_an_image_is_refused():
    with pytest.raises(ValidationError) as error:
        process_image(upload(b"%PDF-1.7 not a photo", "photo.jpg"))
    assert error.value.code == "not_image"
    assert "ei ole kuva" in error.value.messages[0]  # the Finnish UI


def test_an_accepted_image_format_is_required():
    gif = io.BytesIO()
    Image.new("RGB", (10, 10), "green").save(gif, format="GIF")

    with pytest.raises(ValidationError) as error:
        process_image(upload(gif.getvalue(), "a.gif", "image/gif"))
    assert error.value.code == "format"
    assert "GIF" in error.value.messages[0]
    assert "JPEG-, PNG- ja WebP-kuvat" in error.value.messages[0]


def test_a_truncated_image_is_refused():
    data = phone_photo(size=(200, 200))

    with pytest.raises(ValidationError) as error:
        process_image(upload(data[: len(data) // 2]))
    assert error.value.code == "damaged"


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as error:
        process_image(upload(b""))
    assert error.value.code == "empty"


def test_a_file_over_the_byte_limit_is_refused_before_decoding(settings):
    settings.INTAKE_MEDIA_MAX_BYTES = 1024 * 1024
    big = io.BytesIO()
    # Random pixels do not compress: the PNG is well over a megabyte.
    Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3)).save(big, format="PNG")
    assert len(big.getvalue()) > 1024 * 1024

    with pytest.raises(ValidationError) as error:
        process_image(upload(big.getvalue(), "big.png", "image/png"))
    assert error.value.code == "too_large"
    assert "1 Mt" in error.value.messages[0]


def test_a_file_without_a_declared_size_is_still_limited(settings):
    settings.INTAKE_MEDIA_MAX_BYTES = 1024 * 1024

    with pytest.raises(ValidationError) as error:
        process_image(io.BytesIO(b"\xff" * (1024 * 1024 + 1)), name="stream.jpg")
    assert error.value.code == "too_large"


def test_a_decompression_bomb_is_refused(settings):
    settings.INTAKE_MEDIA_MAX_PIXELS = 1_000_000
    # A one-colour 2,000 × 2,000 PNG is a few kilobytes but four megapixels when decoded.
    bomb = io.BytesIO()
    Image.new("L", (2000, 2000), 0).save(bomb, format="PNG", optimize=True)
    assert len(bomb.getvalue()) < 50_000

    with pytest.raises(ValidationError) as error:
        process_image(upload(bomb.getvalue(), "bomb.png", "image/png"))
    assert error.value.code == "too_many_pixels"
    assert "1 megapikseliä" in error.value.messages[0]


def test_a_transparent_png_keeps_its_transparency():
    buffer = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(buffer, format="PNG")

    result = process_image(upload(buffer.getvalue(), "a.png", "image/png"))

    pixel = reopen(result.content).getpixel((5, 5))
    assert isinstance(pixel, tuple)
    assert pixel[3] == 0


def test_a_cmyk_jpeg_is_stored_as_rgb():
    buffer = io.BytesIO()
    Image.new("CMYK", (10, 10), (0, 255, 255, 0)).save(buffer, format="JPEG")

    result = process_image(upload(buffer.getvalue()))

    assert reopen(result.content).mode == "RGB"


def test_the_same_cleaned_image_gets_the_same_name():
    first = process_image(upload(phone_photo()))
    second = process_image(upload(phone_photo(), "other-name.jpg"))

    assert first.sha256 == second.sha256
    assert first.file_name == second.file_name
    assert first.as_file().read() == first.content
