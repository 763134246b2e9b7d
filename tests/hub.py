"""A stand-in for the Hugging Face Hub on 127.0.0.1, answering what ``hf_hub_download`` asks as the Hub does.

``HEAD``/``GET /<repo>/resolve/<revision>/<file>`` answers like the Hub for a Git LFS file: a 302
whose ``X-Repo-Commit``, ``X-Linked-Etag`` (the content's SHA-256, quoted), ``X-Linked-Size`` and
``Location`` (the CDN address) headers describe it; ``GET /cdn/<sha256>`` on a second port (the
CDN: another origin, which huggingface_hub does not follow on ``HEAD``) serves the bytes. A
missing repo or file is a 404 with the Hub's ``X-Error-Code`` (``RepoNotFound``,
``EntryNotFound``). ``GET /api/models/<repo>/tree/<revision>`` lists the repo's files as the
Hub's tree API does (an LFS file's ``lfs.oid`` is its SHA-256), which is what a browser reads,
since it follows the redirect and sees only the CDN's headers. Every answer allows any origin
(``Access-Control-Allow-Origin: *``), as the Hub's do. ``corrupt`` serves a file with one byte
changed under its true ETag; ``truncate`` serves the first half of a file; ``slow`` serves a file
in chunks of ``SLOW_CHUNK`` bytes, ``SLOW_DELAY`` seconds apart, so that a test can act while a
download is under way (a client that goes away ends it).

It also takes what ``HfApi.create_repo`` and ``HfApi.upload_folder`` send, with ``write_token`` as
the only token it accepts (else a 401, as the Hub answers): ``POST /api/repos/create`` (a 409 when
the repo exists), ``POST /api/validate-yaml``, ``POST /api/<type>s/<repo>/preupload/<rev>`` (a file
with a NUL byte in its sample, or of 10 MB or more, goes by LFS, and an unchanged file is reported
with its oid so that it is skipped), ``POST /<type>s/<repo>.git/info/lfs/objects/batch`` with a
``PUT`` of the bytes to the address it gives, and ``POST /api/<type>s/<repo>/commit/<rev>`` (the
NDJSON commit). A Space's files are under ``repos["spaces/OWNER/NAME"]``; ``created`` holds each
new repo's type and SDK, ``commits`` each commit's summary and paths. Upload through LFS needs
``HF_HUB_DISABLE_XET=1``: the stand-in does not speak Xet.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import json
import threading
import time
from urllib.parse import unquote, urlsplit


SLOW_CHUNK = 64 * 1024
SLOW_DELAY = 0.05


class HubServer:
    """The stand-in Hub: ``repos[repo_id][filename] = bytes``; ``requests`` lists what was asked."""

    def __init__(self) -> None:
        self.repos: dict[str, dict[str, bytes]] = {}
        self.corrupt: set[str] = set()  # sha256s served with a byte flipped
        self.truncate: set[str] = set()  # sha256s served cut in half
        self.slow: set[str] = set()  # sha256s served a chunk at a time
        self.requests: list[tuple[str, str]] = []
        self.write_token: str | None = "hf_stand_in_write"
        self.created: dict[str, dict[str, str | None]] = {}
        self.commits: list[tuple[str, str, list[str]]] = []  # (repo key, summary, paths)
        self._blobs: dict[str, bytes] = {}
        hub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_HEAD(self) -> None:
                hub._answer(self, body=False)

            def do_GET(self) -> None:
                hub._answer(self, body=True)

            def do_POST(self) -> None:
                hub._accept(self)

            def do_PUT(self) -> None:
                hub._accept(self)

            def end_headers(self) -> None:  # every answer, as the Hub's
                self.send_header("Access-Control-Allow-Origin", "*")
                super().end_headers()

        self._servers = [http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler) for _ in range(2)]
        self._httpd, self._cdn = self._servers
        self._threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in self._servers]

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def add(self, repo: str, filename: str, data: bytes) -> str:
        """Publish a file; return its SHA-256."""
        sha = hashlib.sha256(data).hexdigest()
        self.repos.setdefault(repo, {})[filename] = data
        self._blobs[sha] = data
        return sha

    def _answer(self, handler: http.server.BaseHTTPRequestHandler, body: bool) -> None:
        path = unquote(urlsplit(handler.path).path)
        self.requests.append((handler.command, path))
        if path.startswith("/cdn/"):
            sha = path.removeprefix("/cdn/")
            data = self._blobs.get(sha)
            if data is None:
                return self._error(handler, 404, "EntryNotFound")
            if sha in self.corrupt:
                data = bytes([data[0] ^ 0xFF]) + data[1:]
            if sha in self.truncate:
                data = data[: len(data) // 2]
            handler.send_response(200)
            handler.send_header("Content-Length", str(len(data)))
            handler.send_header("ETag", f'"{sha}"')
            handler.end_headers()
            if body:
                self._write(handler, data, slow=sha in self.slow)
            return None
        if path.startswith("/api/models/") and "/tree/" in path:
            return self._tree(handler, path.removeprefix("/api/models/").partition("/tree/")[0], body)
        repo, sep, rest = path.lstrip("/").partition("/resolve/")
        revision, _, filename = rest.partition("/")
        if not sep or repo not in self.repos:
            return self._error(handler, 404, "RepoNotFound")
        data = self.repos[repo].get(filename)
        if data is None:
            return self._error(handler, 404, "EntryNotFound")
        sha = hashlib.sha256(data).hexdigest()
        handler.send_response(302)
        handler.send_header("X-Repo-Commit", hashlib.sha1(repo.encode()).hexdigest())
        handler.send_header("X-Linked-Etag", f'"{sha}"')
        handler.send_header("X-Linked-Size", str(len(data)))
        handler.send_header("ETag", f'"{hashlib.sha1(data).hexdigest()}"')
        handler.send_header("Location", f"http://127.0.0.1:{self._cdn.server_address[1]}/cdn/{sha}")
        handler.send_header("Content-Length", "0")
        handler.end_headers()
        return None

    @staticmethod
    def _write(handler: http.server.BaseHTTPRequestHandler, data: bytes, slow: bool = False) -> None:
        """Send a body, ``SLOW_CHUNK`` bytes every ``SLOW_DELAY`` seconds if ``slow``; a client that goes away ends it."""
        step = SLOW_CHUNK if slow else max(1, len(data))
        try:
            for start in range(0, len(data), step):
                handler.wfile.write(data[start:start + step])  # unbuffered: each piece leaves at once
                if slow:
                    time.sleep(SLOW_DELAY)
        except (BrokenPipeError, ConnectionResetError):
            pass  # an abandoned download

    def _accept(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        """The repo-creation, upload and commit endpoints that huggingface_hub calls."""
        path = unquote(urlsplit(handler.path).path)
        self.requests.append((handler.command, path))
        body = _read_body(handler)
        if handler.command == "PUT" and path.startswith("/lfs-upload/"):
            self._blobs[path.removeprefix("/lfs-upload/")] = body
            return self._json(handler, 200, {})
        if handler.headers.get("Authorization") != f"Bearer {self.write_token}":
            return self._json(handler, 401, {"error": "Invalid credentials in Authorization header"})
        if path == "/api/validate-yaml":
            return self._json(handler, 200, {"errors": [], "warnings": []})
        if path == "/api/repos/create":
            spec = json.loads(body)
            repo_id = f"{spec['organization']}/{spec['name']}" if spec.get("organization") else spec["name"]
            kind = spec.get("type") or "model"
            key = repo_id if kind == "model" else f"{kind}s/{repo_id}"
            url = f"{self.endpoint}/{key}"
            if key in self.repos:
                return self._json(handler, 409, {"error": "You already created this repo", "url": url})
            self.repos[key] = {}
            self.created[key] = {"type": kind, "sdk": spec.get("sdk")}
            return self._json(handler, 200, {"url": url, "name": repo_id})
        if path.endswith("/info/lfs/objects/batch"):
            objects = json.loads(body)["objects"]
            return self._json(handler, 200, {"transfer": "basic", "objects": [
                {"oid": o["oid"], "size": o["size"]} | ({} if o["oid"] in self._blobs else {"actions": {"upload": {
                    "href": f"{self.endpoint}/lfs-upload/{o['oid']}"}}}) for o in objects]})
        kind, _, rest = path.removeprefix("/api/").partition("/")
        repo, action, _revision = (rest.rsplit("/", 2) + ["", ""])[:3]
        key = repo if kind == "models" else f"{kind}/{repo}"
        if key not in self.repos or action not in ("preupload", "commit"):
            return self._error(handler, 404, "RepoNotFound")
        files = self.repos[key]
        if action == "preupload":
            answers = []
            for f in json.loads(body)["files"]:
                lfs = b"\0" in base64.b64decode(f["sample"]) or f["size"] >= 10_000_000
                old = files.get(f["path"])
                oid = None if old is None else hashlib.sha256(old).hexdigest() if lfs else _git_sha1(old)
                answers.append({"path": f["path"], "uploadMode": "lfs" if lfs else "regular", "shouldIgnore": False,
                                "oid": oid})
            return self._json(handler, 200, {"files": answers})
        lines = [json.loads(line) for line in body.splitlines() if line.strip()]
        summary, paths = "", []
        for line in lines:
            value = line["value"]
            if line["key"] == "header":
                summary = value["summary"]
            elif line["key"] == "file":
                files[value["path"]] = base64.b64decode(value["content"])
            elif line["key"] == "lfsFile":
                if value["oid"] not in self._blobs:
                    return self._json(handler, 400, {"error": f"LFS object {value['oid']} was not uploaded"})
                files[value["path"]] = self._blobs[value["oid"]]
            else:
                return self._json(handler, 400, {"error": f"the stand-in does not do {line['key']}"})
            if line["key"] != "header":
                paths.append(value["path"])
        self.commits.append((key, summary, paths))
        oid = hashlib.sha1(f"{key}{len(self.commits)}".encode()).hexdigest()
        return self._json(handler, 200, {"commitUrl": f"{self.endpoint}/{key}/commit/{oid}", "commitOid": oid,
                                         "pullRequestUrl": None})

    @staticmethod
    def _json(handler: http.server.BaseHTTPRequestHandler, status: int, value: object) -> None:
        text = json.dumps(value).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(text)))
        handler.end_headers()
        handler.wfile.write(text)

    def _tree(self, handler: http.server.BaseHTTPRequestHandler, repo: str, body: bool) -> None:
        if repo not in self.repos:
            return self._error(handler, 404, "RepoNotFound")
        entries = []
        for name, data in sorted(self.repos[repo].items()):
            sha = hashlib.sha256(data).hexdigest()
            entries.append({"type": "file", "oid": hashlib.sha1(data).hexdigest(), "size": len(data), "path": name,
                            "lfs": {"oid": sha, "size": len(data), "pointerSize": 134}})
        text = json.dumps(entries).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(text)))
        handler.end_headers()
        if body:
            self._write(handler, text)
        return None

    @staticmethod
    def _error(handler: http.server.BaseHTTPRequestHandler, status: int, code: str) -> None:
        text = b'{"error": "not found"}'
        handler.send_response(status)
        handler.send_header("X-Error-Code", code)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(text)))
        handler.end_headers()
        if handler.command == "GET":
            handler.wfile.write(text)

    def __enter__(self) -> "HubServer":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()


def _read_body(handler: http.server.BaseHTTPRequestHandler) -> bytes:
    """A request's body, whether sent with a length or in chunks (a streamed upload)."""
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        parts = []
        while size := int(handler.rfile.readline().split(b";")[0], 16):
            parts.append(handler.rfile.read(size))
            handler.rfile.readline()
        handler.rfile.readline()
        return b"".join(parts)
    return handler.rfile.read(int(handler.headers.get("Content-Length") or 0))


def _git_sha1(data: bytes) -> str:
    """Git's blob id of ``data``: what the Hub reports as a regular file's oid."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
