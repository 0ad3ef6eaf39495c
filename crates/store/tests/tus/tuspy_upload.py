"""Uploads a file to a Kepil store with tuspy (pip install tuspy), a third-party tus client.

usage: tuspy_upload.py UPLOADS_URL UPLOADER_TOKEN FILE TRANSFER_ID SHA256_B64URL
"""
import hashlib
import sys

from tusclient import client
from tusclient.uploader import Uploader


class Sha256Uploader(Uploader):
    # tuspy defaults to sha1 for the checksum extension; the store speaks sha256 only.
    CHECKSUM_ALGORITHM_PAIR = ("sha256", hashlib.sha256)


def main():
    url, token, path, transfer, checksum = sys.argv[1:6]
    tus = client.TusClient(url, headers={"Authorization": "Bearer " + token})
    uploader = Sha256Uploader(
        file_path=path,
        client=tus,
        chunk_size=256 * 1024,
        metadata={"transfer": transfer, "crc64nvme": checksum, "filename": "laporan.pdf"},
        upload_checksum=True,
    )
    uploader.upload()
    print(uploader.url)


if __name__ == "__main__":
    main()
