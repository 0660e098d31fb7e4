"""Checks on uploaded filing documents: PDF, JPEG or PNG by content (not only by name), within
the size limit. Files are stored under a random name by ``models.document_path``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
# Content type and the suffix a stored file gets, by the Pillow format or "PDF".
TYPES = {
    "PDF": ("application/pdf", ".pdf"),
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
}
SUFFIXES = {".pdf": "PDF", ".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}
NAME_LENGTH = 200


def max_bytes() -> int:
    return int(getattr(settings, "CARECIRCLE_FILING_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    suffix: str
    display_name: str


def _format_of(upload: UploadedFile) -> str | None:
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head == PDF_MAGIC:
        return "PDF"
    try:
        with Image.open(upload) as image:
            image.verify()
            found = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        found = None
    upload.seek(0)
    return found if found in TYPES else None


def check_upload(upload: UploadedFile | None) -> CheckedUpload:
    """The upload's real type, or a Chinese error naming the problem."""
    if upload is None:
        raise ValidationError(_("请选择要上传的文件"))
    if upload.size > max_bytes():
        raise ValidationError(
            _("文件过大：%(size)s，上限 %(limit)s")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes())}
        )
    if upload.size == 0:
        raise ValidationError(_("文件为空"))
    claimed = SUFFIXES.get(Path(upload.name or "").suffix.lower())
    if claimed is None:
        raise ValidationError(_("只接受 PDF、JPEG 或 PNG 文件"))
    found = _format_of(upload)
    if found is None or found != claimed:
        raise ValidationError(_("文件内容与类型不符，只接受 PDF、JPEG 或 PNG 文件"))
    content_type, suffix = TYPES[found]
    # The name is shown to users, never used as a path.
    display = Path(upload.name).name.replace("\x00", "")[-NAME_LENGTH:]
    return CheckedUpload(content_type=content_type, suffix=suffix, display_name=display)
