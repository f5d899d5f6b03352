"""Which names are URLs (s3://, gs://, ...) and which are local paths.

The one question every layer asks before it reads or writes: read.py and
write.py handle local paths, storage.py URLs, and inputs.py / outputs.py
send each name to one of them. Nothing here imports fsspec.
"""

import re

# "s3://", "gs://", "hdfs://", chained "simplecache::s3://"; not "C:\" (one
# letter, a Windows drive)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]+(::[A-Za-z][A-Za-z0-9+.\-]+)*://")


def is_url(s) -> bool:
    """Whether ``s`` is a URL for fsspec (file:// excluded: see :func:`as_local`)."""
    return isinstance(s, str) and "://" in s and _URL.match(s) is not None and s[:7].lower() != "file://"


def as_local(s):
    """A file:// URL as the local path it names (anything else unchanged), so
    that it is read and written exactly as that path is."""
    if isinstance(s, str) and s[:7].lower() == "file://":
        from urllib.parse import urlparse
        from urllib.request import url2pathname

        return url2pathname(urlparse(s).path)
    return s
