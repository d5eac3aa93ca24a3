"""``tfmigrate review DIR``: the archivist's local web app over a migrated DIR.

Flask (see pyproject.toml): pages are Jinja2 templates with autoescaping, so text from a page is
always text. Security, because the pages reviewed are hostile input and the app writes files:

- it listens on 127.0.0.1 only; a request naming another Host is refused (DNS rebinding: a web
  page's own name resolved to 127.0.0.1 would otherwise reach the app with the user's browser);
- every request needs the per-run token (in the printed URL once, then a SameSite=Strict,
  HttpOnly cookie); every POST also the CSRF token of the form and, when the browser sends one,
  the app's own Origin;
- the app's pages allow only the app's own script and styles (CSP); the archived original is shown
  in a sandboxed frame without scripts, served under ``default-src 'none'`` and the CSP sandbox, so
  no script, handler or link of a page runs and nothing is fetched;
- a save names the version of the corrections it was made from; a save from a stale version (a
  second tab) is refused with a message, never written over the first (corrections.py).
"""

from __future__ import annotations

import hmac
import json
import mimetypes
import re
import secrets
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from tfmigrate.config import CrawlSettings
from tfmigrate.corrections import (
    NOT_CORRECTABLE,
    SUFFIX,
    CaseCorrections,
    CorrectionsError,
    StaleCorrections,
    apply_corrections,
    correct,
    corrections_dir,
    current_record,
    read_case_corrections,
)
from tfmigrate.errors import TfMigrateError
from tfmigrate.migrate.cases import PROVENANCE_DIR
from tfmigrate.migrate.generation import current_generation
from tfmigrate.migrate.run import MigrateOptions, migrate
from tfmigrate.models import CASE_ID_PATTERN, Case
from tfmigrate.provenance import Provenance
from tfmigrate.records import original_path
from tfmigrate.review.index import PAGE_SIZE, SEARCHED_FIELDS, WATCHED_FIELDS, CaseIndex, Filters
from tfmigrate.review.original import marked_original

COOKIE = "tfmigrate_review"
APP_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; frame-src 'self';"
    " form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# An archived page: nothing runs, nothing loads; its own inline styles only.
ORIGINAL_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox"
# The record's fields as a form shows them: the texts a reviewer reads (and searches) first, the
# images, then the rest in the model's order.
FIRST = (*SEARCHED_FIELDS, "images")
EDITABLE = FIRST + tuple(n for n in Case.model_fields if n not in NOT_CORRECTABLE and n not in FIRST)


class Applier:
    """Applies saved corrections by a run from DIR's archive (no crawl, unchanged pages reused),
    one at a time in a thread of its own; a save during a run asks for one more after it."""

    def __init__(self, out_dir: Path, on_done: Any) -> None:
        self.out_dir, self.on_done = out_dir, on_done
        self.lock = threading.Lock()
        self.wanted = False
        self.running = False
        self.last_error: str | None = None

    def request(self) -> None:
        with self.lock:
            self.wanted = True
            if self.running:
                return
            self.running = True
        threading.Thread(target=self.run, daemon=True).start()

    def run(self) -> None:
        while True:
            with self.lock:
                if not self.wanted:
                    self.running = False
                    return
                self.wanted = False
            try:
                migrate(
                    MigrateOptions(out_dir=self.out_dir, source=str(archive_of(self.out_dir)), jobs=1),
                    CrawlSettings(),
                    QuietProgress(),
                )
                self.last_error = None
            except Exception as exc:  # shown in the app; the thread lives on and the next save runs again
                self.last_error = (
                    str(exc) if isinstance(exc, TfMigrateError) else f"{type(exc).__name__}: {exc}"
                )
            self.on_done()


class QuietProgress:
    def crawl_event(self, event: object) -> None:
        pass

    def phase(self, name: str, total: int) -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass


def archive_of(out_dir: Path) -> Path:
    """The archive DIR was migrated from: its manifest says where (``--archive``), else DIR/archive."""
    try:
        named = json.loads((out_dir / "manifest.json").read_bytes()).get("archive")
    except (OSError, ValueError):
        named = None
    return Path(named) if named and Path(named).is_dir() else out_dir / "archive"


def create_app(out_dir: Path, *, token: str, reviewer: str | None = None, apply: bool = True) -> Flask:
    app = Flask(__name__)
    app.jinja_env.autoescape = True
    csrf = hmac.new(token.encode(), b"csrf", "sha256").hexdigest()
    state: dict[str, Any] = {"hosts": set(), "run": None}

    def reload() -> None:
        """The case list of the run DIR publishes now: read again after any run (the app's own,
        or a migrate from the command line while the app is open)."""
        run = current_generation(out_dir)
        if run != state["run"]:
            state["index"], state["run"] = CaseIndex.read(out_dir), run

    reload()

    applier = Applier(out_dir, reload)
    app.config["APPLIER"] = applier

    @app.context_processor
    def run_state() -> dict[str, Any]:
        return {"applier": applier}

    @app.before_request
    def guard() -> BaseResponse | None:
        if request.host not in state["hosts"]:
            abort(403, "this app answers only to its own address (127.0.0.1)")
        given = request.args.get("token")
        if given is not None and hmac.compare_digest(given, token):
            rest = urlencode([(k, v) for k, v in request.args.items(multi=True) if k != "token"])
            response = redirect(f"{request.path}?{rest}" if rest else request.path)
            response.set_cookie(COOKIE, token, httponly=True, samesite="Strict")
            return response
        if not hmac.compare_digest(request.cookies.get(COOKIE, ""), token):
            abort(403, "open the URL tfmigrate review printed (it carries this run's token)")
        if request.method == "POST":
            origin = request.headers.get("Origin")
            if origin is not None and origin != f"http://{request.host}":
                abort(403, "a form from another site")
            if not hmac.compare_digest(request.form.get("csrf", ""), csrf):
                abort(403, "the form's token is not this run's: reload the page")
        return None

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", APP_POLICY)
        response.headers["X-Content-Type-Options"] = "nosniff"
        # same-origin, not no-referrer: under no-referrer a browser sends its forms with "Origin: null".
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/")
    def case_list() -> str:
        args = request.args
        filters = Filters(
            issue=args.get("issue", ""),
            family=args.get("family", ""),
            missing=args.get("missing", ""),
            change=args.get("change", ""),
            conflicts=args.get("conflicts") == "1",
            verified=args.get("verified", ""),
            q=args.get("q", "").strip(),
        )
        page = max(int(args.get("page", "1")) if args.get("page", "1").isdigit() else 1, 1)
        reload()
        index: CaseIndex = state["index"]
        cases, total = index.select(filters, page)
        query = {k: v for k, v in args.items() if k != "page" and v}
        return render_template(
            "list.html",
            cases=cases,
            total=total,
            all=len(index.cases),
            page=page,
            pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
            filters=filters,
            query=query,
            index=index,
            watched=WATCHED_FIELDS,
        )

    @app.get("/case/<case_id>")
    def case_view(case_id: str) -> str:
        record, found = load_case(case_id)
        shown = apply_corrections(record, found)  # saved corrections show at once, before the run
        provenance = read_provenance(case_id)
        placed = {p.field.split("[")[0].split(".")[0] for p in provenance.placements} if provenance else set()
        data = shown.model_dump(mode="json")
        corrected = {c.field: c for c in shown.review.corrected} if shown.review else {}
        return render_template(
            "case.html",
            case=data,
            case_id=case_id,
            fields=[(name, data[name], as_text(data[name])) for name in EDITABLE],
            placed=placed,
            corrected=corrected,
            verified_fields=set(shown.review.verified_fields) if shown.review else set(),
            case_verified=bool(shown.review and shown.review.verified),
            conflicts=[c for c in corrected.values() if c.conflict],
            version=found.version,
            csrf=csrf,
            as_text=as_text,
            original=original_path(record),
            message=request.args.get("saved"),
        )

    @app.get("/case/<case_id>/original")
    def original(case_id: str) -> Response:
        record, _ = load_case(case_id)
        path = out_dir / original_path(record)
        if not path.is_file():
            abort(404, "no archived original for this case")
        body = marked_original(
            path.read_bytes(), record.source.encoding, read_provenance(case_id), request.args.get("field")
        )
        response = Response(body, mimetype="text/html")
        response.headers["Content-Security-Policy"] = ORIGINAL_POLICY
        return response

    @app.get("/file/<path:name>")
    def image_file(name: str) -> Response:
        root = (out_dir / "images").resolve()
        path = (root / name).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            abort(404)
        response = Response(
            path.read_bytes(), mimetype=mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        )
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response

    @app.post("/case/<case_id>/save")
    def save(case_id: str) -> BaseResponse | tuple[str, int]:
        load_case(case_id)
        form = request.form
        action = form.get("action", "")
        path = form.get("field") or None
        if path is not None and path.split("[")[0].split(".")[0] not in EDITABLE:
            abort(400, "not a field of the record that can be corrected")
        options: dict[str, Any] = {
            "reviewer": reviewer,
            "version": form.get("version", ""),
            "note": form.get("note") or None,
        }
        if action == "save":
            options["value"] = form.get("value", "")
        elif action == "verify":
            options["verified"] = True
        elif action == "unverify":
            options["verified"] = False
        elif action == "accept":
            options["accept"] = True
        else:
            abort(400, "no such action")
        try:
            correct(out_dir, case_id, path, **options)
        except StaleCorrections as exc:
            return render_template("refused.html", case_id=case_id, message=str(exc)), 409
        except CorrectionsError as exc:
            return render_template("refused.html", case_id=case_id, message=str(exc)), 400
        if apply:
            applier.request()
        return redirect(url_for("case_view", case_id=case_id, saved=path or "case"), code=303)

    def load_case(case_id: str) -> tuple[Case, CaseCorrections]:
        if not re.fullmatch(CASE_ID_PATTERN, case_id):
            abort(404)
        try:
            record = current_record(out_dir, case_id)
            found = read_case_corrections(corrections_dir(out_dir) / f"{case_id}{SUFFIX}")
        except CorrectionsError as exc:
            abort(404, str(exc))
        return record, found

    def read_provenance(case_id: str) -> Provenance | None:
        try:
            return Provenance.model_validate_json((out_dir / PROVENANCE_DIR / f"{case_id}.json").read_bytes())
        except (OSError, ValueError):
            return None

    app.config["STATE"] = state
    return app


def as_text(value: Any) -> str:
    """A value as a form shows it: text as itself, anything else as JSON."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=1)


def serve(out_dir: Path, *, port: int = 0, reviewer: str | None = None) -> None:
    """Serve until interrupted, on 127.0.0.1 only; prints the URL with this run's token."""
    from werkzeug.serving import make_server

    token = secrets.token_urlsafe(24)
    app = create_app(out_dir, token=token, reviewer=reviewer)
    server = make_server("127.0.0.1", port, app, threaded=True)
    bound = server.server_port
    app.config["STATE"]["hosts"] = {f"127.0.0.1:{bound}", f"localhost:{bound}"}
    print(f"tfmigrate review: http://127.0.0.1:{bound}/?token={token}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
