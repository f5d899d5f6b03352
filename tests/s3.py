"""A real S3 API on loopback for the tests (and bench/storage.py): moto's
server on a free port, with the environment pointing the AWS libraries at it.

Every AWS_* variable of the caller's environment is cleared first, the
instance metadata service (a link-local address) is switched off, and the
credential files point nowhere, so nothing leaves this machine and no real
credentials are used.
"""

import os
import socket
from contextlib import contextmanager

ACCESS_KEY, SECRET_KEY = "testing-key", "testing-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def isolated_aws_env(endpoint: str | None, *, credentials: bool = True) -> dict:
    """The environment the tests run S3 calls in (AWS_* replaced)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_EC2_METADATA_DISABLED="true",
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_CONFIG_FILE=os.devnull,
        AWS_DEFAULT_REGION="us-east-1",
    )
    if endpoint:
        env["AWS_ENDPOINT_URL"] = endpoint
    if credentials:
        env.update(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY)
    return env


def set_env(env: dict, mp) -> None:
    for k in [k for k in os.environ if k.startswith("AWS_")]:
        mp.delenv(k)
    for k, v in env.items():
        if os.environ.get(k) != v:
            mp.setenv(k, v)
    forget_file_systems()


def forget_file_systems() -> None:
    """fsspec caches file system instances; one made under other variables
    must not be reused."""
    import s3fs

    s3fs.S3FileSystem.clear_instance_cache()


@contextmanager
def moto_s3(mp):
    """(endpoint URL, boto3 client) of a moto server running for the block."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        set_env(isolated_aws_env(endpoint), mp)
        import boto3

        yield endpoint, boto3.client("s3", endpoint_url=endpoint)
    finally:
        forget_file_systems()
        server.stop()


def upload(client, folder, bucket: str, prefix: str) -> None:
    """Every file under ``folder`` as ``prefix/<relative path>``; an empty
    folder as a "folder/" marker object, as consoles make them."""
    from concurrent.futures import ThreadPoolExecutor

    def put(path):
        rel = path.relative_to(folder).as_posix()
        if path.is_dir():
            if not any(path.iterdir()):
                client.put_object(Bucket=bucket, Key=f"{prefix}/{rel}/", Body=b"")
            return
        client.put_object(Bucket=bucket, Key=f"{prefix}/{rel}", Body=path.read_bytes())

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(put, sorted(folder.rglob("*"))))


def keys(client, bucket: str, prefix: str = "") -> list[str]:
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


def get(client, bucket: str, key: str) -> bytes:
    return client.get_object(Bucket=bucket, Key=key)["Body"].read()
