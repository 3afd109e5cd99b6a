"""Refuse a .docx/.xlsx whose members would inflate beyond the caps, before inflating any.

A zip bomb is a few kilobytes that inflate to gigabytes; python-docx and openpyxl would
inflate it into memory. The central directory states every member's sizes, so they are
checked first. The stated sizes can lie, but Python's zipfile never inflates a member past its
stated size (it stops there and the CRC check fails), so checking them bounds what the parsers
can inflate.
"""
from __future__ import annotations

import io
import zipfile

from audits.normalize.attachments.model import Limits, Unreadable


def check_zip(data: bytes, limits: Limits) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise Unreadable(f"文件已损坏，无法解压（{exc}）") from None
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and ratio > limits.max_member_ratio:
            raise Unreadable(f"疑似压缩炸弹：{info.filename} 压缩比 {ratio:.0f}:1"
                             f"（上限 {limits.max_member_ratio}:1），未解压")
        if total > limits.max_unzipped_bytes:
            raise Unreadable(f"解压后超过 {limits.max_unzipped_bytes // (1024 * 1024)} MB 上限，疑似压缩炸弹，未解压")
    return archive

