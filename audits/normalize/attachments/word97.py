"""Legacy Word (.doc) and WPS (.wps) files: converted to .docx by LibreOffice, then read as .docx.

No maintained pure-Python reader handles these binary formats, and LibreOffice converts them
faithfully. It is optional: without it the file is "could not check" with the converter
named, so the supervisor knows what to install (Debian: libreoffice-writer-nogui). The
conversion runs in a private temporary directory and profile with a timeout, so a file that
hangs LibreOffice costs `Limits.convert_timeout` seconds and no more.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from audits.normalize.attachments.docx import read_docx
from audits.normalize.attachments.model import Extracted, Limits, Unreadable

CONVERTERS = ("libreoffice", "soffice")


def converter() -> str | None:
    return next((path for name in CONVERTERS if (path := shutil.which(name))), None)


def read_word97(data: bytes, limits: Limits, extension: str = "doc") -> Extracted:
    program = converter()
    suffix = "wps" if extension == "wps" else "doc"
    if program is None:
        raise Unreadable(f".{suffix} 文件需要 LibreOffice 转换，本机未安装转换程序 libreoffice"
                         "（Debian 软件包 libreoffice-writer-nogui），未能读取")
    with tempfile.TemporaryDirectory(prefix="govaudit-doc-") as tmp:
        source = Path(tmp) / f"report.{suffix}"
        source.write_bytes(data)
        profile = Path(tmp, "profile").as_uri()
        try:
            subprocess.run([program, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "docx",
                            "--outdir", tmp, str(source)], capture_output=True, timeout=limits.convert_timeout,
                           check=False)
        except subprocess.TimeoutExpired:
            raise Unreadable(f"LibreOffice 在 {limits.convert_timeout:g} 秒内未能转换该 .{suffix} 文件") from None
        converted = Path(tmp) / "report.docx"
        if not converted.exists():
            raise Unreadable(f"LibreOffice 无法转换该 .{suffix} 文件（文件可能已损坏）")
        return read_docx(converted.read_bytes(), limits, source="doc")
