#!/usr/bin/python3
"""Follow FeedIngest's `article-events` queue and write every stored article to JSONL.

Reads the contract of docs/CONTRACT.md: Base64 JSON events, the `.json` document and `.txt` text in the
`articles` container, previous versions under `versions/`, and (schema 2) `attachments[].textBlob`
in the `attachments` container. See README.md beside this file for the semantics.

Exit codes: 0 done, 2 bad usage or configuration, 3 storage unreachable, 4 output not writable.
"""
import argparse
import base64
import binascii
import hashlib
import json
import os
import signal
import sys
import time
import unicodedata

EXIT_OK, EXIT_USAGE, EXIT_STORAGE, EXIT_OUTPUT = 0, 2, 3, 4
EVENTS_QUEUE = "article-events"
ARTICLES_CONTAINER = "articles"
ATTACHMENTS_CONTAINER = "attachments"
MAX_BATCH = 32  # the queue service's maximum per receive/peek call


def fail(code, message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(code)


try:
    from azure.core.exceptions import AzureError, ResourceNotFoundError, ServiceRequestError
    from azure.storage.blob import BlobServiceClient
    from azure.storage.queue import QueueClient
except ImportError as missing:  # pragma: no cover - depends on the machine
    fail(EXIT_USAGE, f"the Azure SDK for Python is missing ({missing.name}): install Debian's python3-azure "
                     "(apt-get install python3-azure) and run this script with /usr/bin/python3")


def parse_args(argv):
    p = argparse.ArgumentParser(description="Follow article-events and write one JSON line per article version.")
    p.add_argument("--output", "-o", required=True, help="JSONL file to append to (created if missing)")
    p.add_argument("--connection-string", default=os.environ.get("FeedIngestStorage"),
                   help="storage connection string (default: $FeedIngestStorage)")
    p.add_argument("--until-empty", action="store_true",
                   help="stop when the queue has been empty for --idle-seconds (default: follow until Ctrl+C)")
    p.add_argument("--idle-seconds", type=float, default=5.0,
                   help="with --until-empty: how long the queue must stay empty (default 5)")
    p.add_argument("--poll-seconds", type=float, default=2.0, help="wait between empty receives (default 2)")
    p.add_argument("--visibility-timeout", type=int, default=300,
                   help="seconds a received event stays hidden while it is processed (default 300)")
    p.add_argument("--peek", action="store_true",
                   help="look at (at most 32) waiting events without consuming them; writes nothing to the queue")
    p.add_argument("--no-text", action="store_true", help="leave the text out of the JSON lines (hashes only)")
    args = p.parse_args(argv)
    if not args.connection_string:
        fail(EXIT_USAGE, "no storage connection: pass --connection-string or set FeedIngestStorage")
    if args.visibility_timeout < 30:
        fail(EXIT_USAGE, "--visibility-timeout must be at least 30 seconds (time to read the blobs)")
    return args


def load_seen(path):
    """(articleId, version) pairs already written: the output is the consumer's memory across restarts."""
    seen = set()
    if not os.path.exists(path):
        return seen
    with open(path, "r", encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                record = json.loads(line)
                seen.add((record["articleId"], int(record["version"])))
            except (ValueError, KeyError, TypeError):
                print(f"warning: {path}:{number} is not a consumer record; ignored", file=sys.stderr)
    return seen


def decode_event(content):
    """Events are Base64-encoded UTF-8 JSON (docs/CONTRACT.md); accept plain JSON too."""
    text = content if isinstance(content, str) else content.decode("utf-8")
    try:
        text = base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        pass
    event = json.loads(text)
    for field in ("articleId", "sourceId", "blob", "version", "contentHash"):
        if field not in event:
            raise ValueError(f"event lacks '{field}'")
    return event


def sha256_hex(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ArticleReader:
    def __init__(self, blobs):
        self.articles = blobs.get_container_client(ARTICLES_CONTAINER)
        self.attachments = blobs.get_container_client(ATTACHMENTS_CONTAINER)

    def _read(self, container, name):
        try:
            return container.download_blob(name).readall().decode("utf-8")
        except ResourceNotFoundError:
            return None

    def read(self, event):
        """The document and text of exactly the event's version: the current blobs when their hash is the
        event's, else the `versions/` copy kept when a later version replaced it. None when neither holds it."""
        json_name = event["blob"]
        text_name = json_name[:-len(".json")] + ".txt" if json_name.endswith(".json") else None
        candidates = [(json_name, text_name)]
        stem = f"versions/{event['sourceId']}/{event['articleId']}/v{int(event['version'])}"
        candidates.append((stem + ".json", stem + ".txt"))
        for doc_name, txt_name in candidates:
            raw = self._read(self.articles, doc_name)
            if raw is None:
                continue
            document = json.loads(raw)
            if document.get("contentHash") != event["contentHash"]:
                continue
            text = self._read(self.articles, txt_name) if txt_name else None
            if text is None:
                text = document.get("text", "")
            return document, text, doc_name
        return None

    def attachments_of(self, document):
        out = []
        for a in document.get("attachments") or []:
            text = self._read(self.attachments, a["textBlob"]) if a.get("textBlob") else None
            out.append({
                "name": a.get("name"), "url": a.get("url"), "contentType": a.get("contentType"),
                "sha256": a.get("sha256"), "pages": a.get("pages"), "textStatus": a.get("textStatus"),
                "reason": a.get("reason"), "text": text,
            })
        return out


def build_record(event, document, text, blob, attachments, include_text):
    normalized = unicodedata.normalize("NFC", text)
    record = {
        "articleId": event["articleId"], "sourceId": event["sourceId"], "version": int(event["version"]),
        "change": event.get("change"), "url": event.get("url"), "blob": blob,
        "schemaVersion": document.get("schemaVersion"), "title": document.get("title"),
        "publishedAt": document.get("publishedAt"), "clusterId": document.get("clusterId"),
        "contentHash": event["contentHash"], "textSha256": sha256_hex(text),
        "textIsNfc": normalized == text,
    }
    if include_text:
        record["text"] = text
    record["attachments"] = [
        a if include_text else {k: v for k, v in a.items() if k != "text"} for a in attachments
    ]
    return record


class Output:
    def __init__(self, path):
        try:
            self.file = open(path, "a", encoding="utf-8")
        except OSError as e:
            fail(EXIT_OUTPUT, f"cannot write {path}: {e.strerror}")

    def write(self, record):
        self.file.write(json.dumps(record, ensure_ascii=False) + "\n")

    def commit(self):
        """Durable before the events are deleted: a crash after this point re-delivers, never loses."""
        self.file.flush()
        os.fsync(self.file.fileno())

    def close(self):
        self.file.close()


def run(args):
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    queue = QueueClient.from_connection_string(args.connection_string, EVENTS_QUEUE)
    reader = ArticleReader(BlobServiceClient.from_connection_string(args.connection_string))
    seen = load_seen(args.output)
    out = Output(args.output)
    counts = {"written": 0, "duplicates": 0, "stale": 0, "malformed": 0}
    idle_since = time.monotonic()
    try:
        while not stop["now"]:
            if args.peek:
                messages = list(queue.peek_messages(max_messages=MAX_BATCH))
            else:
                messages = list(queue.receive_messages(messages_per_page=MAX_BATCH, max_messages=MAX_BATCH,
                                                       visibility_timeout=args.visibility_timeout))
            if not messages:
                if args.peek or (args.until_empty and time.monotonic() - idle_since >= args.idle_seconds):
                    break
                time.sleep(args.poll_seconds)
                continue
            idle_since = time.monotonic()
            done = []
            for message in messages:
                try:
                    event = decode_event(message.content)
                except ValueError as e:
                    # A message this consumer cannot read is left for an operator, not deleted.
                    print(f"warning: event {message.id} is not a FeedIngest event ({e}); left on the queue",
                          file=sys.stderr)
                    counts["malformed"] += 1
                    continue
                key = (event["articleId"], int(event["version"]))
                if key in seen:
                    counts["duplicates"] += 1
                    done.append(message)
                    continue
                found = reader.read(event)
                if found is None:
                    # Neither the current blob nor versions/ has this version's text: nothing to read.
                    print(f"warning: {event['articleId']} v{event['version']}: text with hash "
                          f"{event['contentHash'][:12]}… is not stored; skipped", file=sys.stderr)
                    counts["stale"] += 1
                    done.append(message)
                    continue
                document, text, blob = found
                record = build_record(event, document, text, blob, reader.attachments_of(document),
                                      not args.no_text)
                out.write(record)
                seen.add(key)
                counts["written"] += 1
                done.append(message)
            out.commit()
            if args.peek:
                break
            for message in done:
                try:
                    queue.delete_message(message)
                except ResourceNotFoundError:
                    pass  # the visibility timeout ran out and another receive took it: it will be deduplicated
    finally:
        out.close()
    print(f"written {counts['written']}, duplicates {counts['duplicates']}, stale {counts['stale']}, "
          f"malformed {counts['malformed']}", file=sys.stderr)
    return EXIT_OK


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return run(args)
    except ServiceRequestError as e:
        fail(EXIT_STORAGE, f"storage does not answer ({e.message.splitlines()[0] if e.message else e}): "
                           "check the connection string and that the account (or Azurite) is running")
    except ResourceNotFoundError as e:
        fail(EXIT_STORAGE, f"the queue '{EVENTS_QUEUE}' or container is missing ({e.reason}): "
                           "has a harvest run against this account?")
    except AzureError as e:
        fail(EXIT_STORAGE, f"storage error: {str(e).splitlines()[0]}")
    except KeyboardInterrupt:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
