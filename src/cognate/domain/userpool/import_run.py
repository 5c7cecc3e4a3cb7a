"""The run of a user import job: the Developer Guide's rules for each CSV row, the batches that write them,
and the worker threads and leases that carry a job to its end ("Importing users into a user pool from a CSV
file": "Creating the user import CSV file", "Creating and running the Amazon Cognito user pool import job").

The import runs in a thread of the server, in batches of ``BATCH`` rows; each batch inserts its users and
records the job's counters in one transaction, so progress is exact and a batch is never applied twice. A
helper thread checks the next batch's rows while one is written. The CSV is read from the store a piece at a
time, never held whole.

Restarts resume. A running job holds a lease (``upload_expires``, unused once the upload window has closed at
Start), renewed by every batch. A server that stops gracefully releases its leases at the next batch boundary;
one that dies lets them lapse (``LEASE`` seconds). Every server looks for running jobs whose lease has lapsed
when it starts and every ``SWEEP`` seconds afterwards, claims them and carries on after the last committed
batch. Each write of a worker first checks that it still holds the lease, so two processes sharing a database
never import the same job twice.
"""

from __future__ import annotations

import atexit
import contextlib
import csv
import io
import logging
import queue
import re
import threading
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cognate.domain.context import Deps
from cognate.domain.errors import CognateError, ConcurrentModificationException
from cognate.domain.userpool import schema, signup, users
from cognate.domain.userpool.model import ImportJob, User, UserPool, UserStatus
from cognate.store.ports import UnitOfWork

log = logging.getLogger("cognate.import")

# GetCSVHeader's standard columns, in AWS's order; the pool's custom attributes follow.
STANDARD_HEADER = ("name", "given_name", "family_name", "middle_name", "nickname", "preferred_username", "profile",
                   "picture", "website", "email", "email_verified", "gender", "birthdate", "zoneinfo", "locale",
                   "phone_number", "phone_number_verified", "address", "updated_at", "cognito:mfa_enabled",
                   "cognito:username")
USERNAME, MFA = "cognito:username", "cognito:mfa_enabled"
MAX_ROWS = 500_000
MAX_ROW_CHARS = 16_000
BATCH = 10_000                   # SQLite: ~0.5 s of write lock; 5,000 halves the rate at 1M users
LEASE = 60.0
SWEEP = 30.0
PIECE = 2 * 1024 * 1024          # CSV bytes per store read: libpq keeps ~2x that on every pooled connection
LOGGED_ROWS = 100                # per job: enough to diagnose a file without flooding the log
_SPACE = re.compile(r"\s")
BIRTHDATE = re.compile(r"^(0[1-9]|1[0-2])/(0[1-9]|[12][0-9]|3[01])/[0-9]{4}$")

DONE_MESSAGE = "Import Job Completed Successfully."
TOO_MANY_MESSAGE = "Too many users have failed or been skipped during the import."
STOPPED_MESSAGE = "The Import Job was stopped by the developer."
EXPIRED_MESSAGE = "The user import job has expired."
NOT_VERIFIED = ("The User Record does not set any of the auto verified attributes to verified. "
                "(Example: email_verified to true).")
EXISTS = "The user already exists."


class Status(StrEnum):
    """UserImportJobStatusType."""

    CREATED = "Created"
    PENDING = "Pending"
    IN_PROGRESS = "InProgress"
    STOPPING = "Stopping"
    EXPIRED = "Expired"
    STOPPED = "Stopped"
    FAILED = "Failed"
    SUCCEEDED = "Succeeded"


RUNNING = (Status.PENDING, Status.IN_PROGRESS, Status.STOPPING)


def header_of(pool: UserPool) -> list[str]:
    """GetCSVHeader's columns: the standard ones, then every custom attribute as SchemaAttributes names it."""
    custom = [e["Name"] for e in pool.config["SchemaAttributes"] if e["Name"].startswith(("custom:", "dev:custom:"))]
    return [*STANDARD_HEADER, *custom]


def finish(uow: UnitOfWork, job: ImportJob, status: Status, message: str, now: float) -> None:
    """A final status; the CSV is dropped, as AWS deletes a finished job's data."""
    job.status, job.message, job.completed, job.upload_expires = status.value, message, now, now
    uow.import_jobs.update(job)
    uow.import_jobs.put_csv(job.id, None)


# --- workers and leases -------------------------------------------------------------------------------------


class _Lost(Exception):
    """The job is no longer this worker's: finished, deleted with its pool, or claimed by another process."""


_shutdown = threading.Event()
_workers: set[threading.Thread] = set()
_workers_lock = threading.Lock()
_exit_hook: list[bool] = []


def launch(deps: Deps, job_id: str, lease: float) -> None:
    """Run the job in a thread of this process, under ``lease`` (StartUserImportJob, or a resumed job)."""
    thread = threading.Thread(target=_work, args=(deps, job_id, lease), name=f"cognate-{job_id}", daemon=True)
    with _workers_lock:
        _on_exit_once()
        _workers.add(thread)
    thread.start()


def _on_exit_once() -> None:
    if not _exit_hook:
        atexit.register(_release_on_exit)
        _exit_hook.append(True)


def _work(deps: Deps, job_id: str, lease: float) -> None:
    importer = _Importer(deps, job_id, lease)
    try:
        importer.run()
    except _Lost:
        pass
    except Exception:
        log.exception("user import job %s failed", job_id)
        # Failed for good, under the lease held now: left running, it would be resumed and fail again.
        _fail_unexpectedly(deps, job_id, importer.lease)
    finally:
        with _workers_lock:
            _workers.discard(threading.current_thread())


def _fail_unexpectedly(deps: Deps, job_id: str, lease: float) -> None:
    try:
        with deps.store.write() as uow:
            job = uow.import_jobs.get(job_id, for_update=True)
            if job is not None and job.status in RUNNING and job.upload_expires == lease:
                finish(uow, job, Status.FAILED, "The import failed because of an internal error.",
                       deps.clock.now())
    except Exception:
        log.exception("user import job %s: could not record the failure", job_id)


def _release_on_exit() -> None:
    """At interpreter exit: workers release their leases at their next batch, so the next start resumes."""
    _shutdown.set()
    deadline = time.monotonic() + 5
    with _workers_lock:
        running = list(_workers)
    for thread in running:
        thread.join(max(0.0, deadline - time.monotonic()))


def recover(deps: Deps) -> None:
    """At server start: resume jobs left running by a stopped or dead process, now and every ``SWEEP`` s."""
    resume_orphans(deps)

    def sweep() -> None:
        while not _shutdown.wait(SWEEP):
            try:
                resume_orphans(deps)
            except Exception:
                log.exception("user import sweep failed")

    thread = threading.Thread(target=sweep, name="cognate-import-sweeper", daemon=True)
    with _workers_lock:
        _on_exit_once()
    thread.start()


def resume_orphans(deps: Deps) -> list[str]:
    """Claim every running job whose lease has lapsed and resume it here; returns their ids."""
    now = deps.clock.now()
    claimed: list[tuple[str, float]] = []
    with deps.store.write() as uow:
        for job in uow.import_jobs.running(for_update=True):
            if job.upload_expires < now:
                job.upload_expires = now + LEASE
                uow.import_jobs.update(job)
                claimed.append((job.id, job.upload_expires))
    for job_id, lease in claimed:
        log.info("resuming user import job %s", job_id)
        launch(deps, job_id, lease)
    return [job_id for job_id, _ in claimed]


# --- the import ---------------------------------------------------------------------------------------------


@dataclass
class _Batch:
    users: list[tuple[int, User]] = field(default_factory=list)
    failed: int = 0
    records: int = 0
    unreadable: str | None = None


class _Importer:
    """One job's import, run by one worker thread; every write re-checks the lease (``_own``)."""

    def __init__(self, deps: Deps, job_id: str, lease: float) -> None:
        self.deps, self.job_id, self.lease = deps, job_id, lease
        self.logged = 0
        self.claimed: set[tuple[str, str]] = set()

    def run(self) -> None:
        with self.deps.store.read() as uow:
            job = uow.import_jobs.get(self.job_id)
            pool = uow.pools.get(job.pool_id) if job is not None else None
            size = uow.import_jobs.csv_size(self.job_id)
        if job is None or pool is None or job.upload_expires != self.lease:
            return
        self.pool = pool
        self.schema = pool.config["SchemaAttributes"]
        self.auto = [a for a in pool.config.get("AutoVerifiedAttributes", []) if a in users.ALIAS_VERIFIED]
        self.mfa = pool.config.get("MfaConfiguration", "OFF")
        self.key_attributes = [a for a in users.username_attributes(pool) if a in users.ALIAS_VERIFIED]
        self.alias_attributes = [a for a in users.alias_attributes(pool) if a in users.ALIAS_VERIFIED]
        done = job.imported + job.skipped + job.failed
        problem, rows = self._open(size or 0)
        with self.deps.store.write() as uow:
            job = self._own(uow)
            if job.status == Status.STOPPING:
                return finish(uow, job, Status.STOPPED, STOPPED_MESSAGE, self.deps.clock.now())
            if problem:
                return finish(uow, job, Status.FAILED, problem, self.deps.clock.now())
            job.status = Status.IN_PROGRESS.value
            uow.import_jobs.update(job)
        self._import(rows, done)

    def _open(self, size: int) -> tuple[str | None, Iterator[tuple[int, list[str]]]]:
        """The header checked against the pool's, and the data rows with their line numbers."""
        if _too_many_rows(self._text(size, errors="replace")):
            return f"The CSV file has more than {MAX_ROWS} users.", iter(())
        # The guide escapes commas with a backslash; quoted fields, as spreadsheets write them, are read too.
        reader = csv.reader(self._text(size, errors="strict"), escapechar="\\", strict=False)
        try:
            header = [name.strip() for name in next(reader)]
        except StopIteration:
            return "The CSV file has no header row.", iter(())
        except (UnicodeDecodeError, csv.Error) as exc:
            return f"The CSV file is unreadable: {exc}"[:128], iter(())
        expected = header_of(self.pool)
        # "All columns in the header must be present" (Developer Guide); the two required ones are named first.
        missing = sorted((c for c in expected if c not in header), key=lambda c: not c.startswith("cognito:"))
        unknown = [c for c in header if c not in expected]
        if missing or unknown or len(set(header)) != len(header):
            problem = "The CSV header does not match GetCSVHeader: " + "; ".join(
                part for part in (f"missing {', '.join(missing)}" if missing else "",
                                  f"unknown {', '.join(unknown)}" if unknown else "",
                                  "duplicate columns" if len(set(header)) != len(header) else "") if part)
            log.info("user import job %s: %s", self.job_id, problem)
            return problem if len(problem) <= 128 else problem[:125] + "...", iter(())
        self.columns = header
        self.username_at, self.mfa_at = header.index(USERNAME), header.index(MFA)
        self.index = schema.schema_index(self.schema)
        # Per column: whether schema.check_value can only object to the length (a String of 0..2048 that is
        # neither email nor phone); those skip the call, which dominates the per-row cost at import rates.
        self.attribute_at = [(name, i, self._length_only(self.index[name]))
                             for i, name in enumerate(header) if name not in (USERNAME, MFA)]
        return None, _records(reader)

    @staticmethod
    def _length_only(entry: dict[str, Any]) -> bool:
        limits = entry.get("StringAttributeConstraints", {})
        return (entry["AttributeDataType"] == "String" and entry["Name"] not in ("email", "phone_number")
                and int(limits.get("MinLength", 0)) == 0 and int(limits.get("MaxLength", 2048)) == 2048)

    def _import(self, rows: Iterator[tuple[int, list[str]]], done: int) -> None:
        unreadable: str | None = None
        with contextlib.closing(self._batches(rows, done)) as batches:
            for batch in batches:
                if not self._commit(batch):
                    return
                unreadable = batch.unreadable
                if _shutdown.is_set() and batch.records == BATCH and not unreadable:
                    return self._release()
        with self.deps.store.write() as uow:
            job = self._own(uow)
            if job.status == Status.STOPPING:
                return finish(uow, job, Status.STOPPED, STOPPED_MESSAGE, self.deps.clock.now())
            too_many = job.failed + job.skipped > job.imported
            message = unreadable or (TOO_MANY_MESSAGE if too_many else DONE_MESSAGE)
            finish(uow, job, Status.FAILED if too_many or unreadable else Status.SUCCEEDED, message[:128],
                   self.deps.clock.now())
        with self.deps.store.write() as uow:
            uow.import_jobs.refresh_statistics()

    def _batches(self, rows: Iterator[tuple[int, list[str]]], done: int) -> Generator[_Batch, None, None]:
        """Validated batches, the next one built by a helper thread while this one is written.

        With PostgreSQL the index work happens in the database's process, so checking rows in parallel with it
        nearly halves the import time; with SQLite the two take turns on the GIL. One batch ahead at most.
        """
        ready: queue.Queue[_Batch | BaseException] = queue.Queue(maxsize=1)
        stop = threading.Event()

        def hand(item: _Batch | BaseException) -> bool:
            while not stop.is_set():
                try:
                    ready.put(item, timeout=0.2)
                    return True
                except queue.Full:
                    continue
            return False

        def produce() -> None:
            try:
                for _ in range(done):  # resuming: these rows were counted by committed batches
                    next(rows, None)
                while True:
                    batch = self._read_batch(rows)
                    if not hand(batch) or batch.records < BATCH or batch.unreadable:
                        return
            except BaseException as exc:  # handed to the worker, which raises it
                hand(exc)

        helper = threading.Thread(target=produce, name=f"cognate-{self.job_id}-rows", daemon=True)
        helper.start()
        try:
            while True:
                item = ready.get()
                if isinstance(item, BaseException):
                    raise item
                yield item
                if item.records < BATCH or item.unreadable:
                    return
        finally:
            stop.set()
            helper.join(5)

    def _read_batch(self, rows: Iterator[tuple[int, list[str]]]) -> _Batch:
        batch = _Batch()
        try:
            for line, values in rows:
                batch.records += 1
                outcome = self._user(values)
                if isinstance(outcome, str):
                    batch.failed += 1
                    self._log("FAILED", line, outcome)
                else:
                    batch.users.append((line, outcome))
                if batch.records == BATCH:
                    break
        except _Unreadable as exc:
            batch.unreadable = f"The CSV file is unreadable: {exc}"
        return batch

    def _commit(self, batch: _Batch) -> bool:
        """Insert one batch and count it, in one transaction; False when the job was stopped instead."""
        for attempt in range(3):
            try:
                with self.deps.store.write() as uow:
                    job = self._own(uow)
                    if job.status == Status.STOPPING:
                        finish(uow, job, Status.STOPPED, STOPPED_MESSAGE, self.deps.clock.now())
                        return False
                    accepted, skipped, failed, claimed = self._admit(uow, batch.users)
                    uow.users.add_many(accepted)
                    uow.pools.adjust_user_count(job.pool_id, len(accepted))
                    job.imported += len(accepted)
                    job.skipped += skipped
                    job.failed += batch.failed + failed
                    job.upload_expires = self.deps.clock.now() + LEASE
                    uow.import_jobs.update(job)
                self.lease = job.upload_expires
                self.claimed |= claimed
                return True
            except ConcurrentModificationException:
                # A user of the batch was created by another request meanwhile: check the batch again.
                if attempt == 2:
                    raise
        return True

    def _admit(self, uow: UnitOfWork, rows: list[tuple[int, User]]) -> tuple[list[User], int, int,
                                                                             set[tuple[str, str]]]:
        """The batch's users that do not exist yet: one query for the user names, per-row ones only for pools
        whose email or phone signs in (UsernameAttributes, verified aliases)."""
        existing = uow.users.existing_keys(self.pool.id, [u.username_key for _, u in rows])
        accepted: list[User] = []
        skipped = failed = 0
        claimed: set[tuple[str, str]] = set()
        for line, user in rows:
            if user.username_key in existing:
                skipped += 1
                self._log("SKIPPED", line, EXISTS)
                continue
            existing.add(user.username_key)
            problem = self._sign_in_conflict(uow, user, claimed)
            if problem == EXISTS:
                skipped += 1
            elif problem:
                failed += 1
            if problem:
                self._log("SKIPPED" if problem == EXISTS else "FAILED", line, problem)
                continue
            accepted.append(user)
        return accepted, skipped, failed, claimed

    def _sign_in_conflict(self, uow: UnitOfWork, user: User, claimed: set[tuple[str, str]]) -> str | None:
        mine: list[tuple[str, str]] = []
        for attribute in self.key_attributes:
            value = user.attributes.get(attribute, "").lower()
            if value and ((attribute, value) in self.claimed or (attribute, value) in claimed
                          or uow.users.find_by_attribute(self.pool.id, attribute, value, 1)):
                return EXISTS
            mine.append((attribute, value))
        for attribute in self.alias_attributes:
            value = user.attributes.get(attribute, "").lower()
            if not value or user.attributes.get(users.ALIAS_VERIFIED[attribute]) != "true":
                continue
            taken = (attribute, value) in self.claimed or (attribute, value) in claimed or any(
                other.attributes.get(users.ALIAS_VERIFIED[attribute]) == "true"
                for other in uow.users.find_by_attribute(self.pool.id, attribute, value))
            if taken:
                return f"An account with the given {attribute.replace('_number', '')} already exists."
            mine.append((attribute, value))
        claimed.update(mine)
        return None

    def _user(self, values: list[str]) -> User | str:
        """One CSV row as a RESET_REQUIRED user, or why it fails (the Developer Guide's formatting rules)."""
        if len(values) != len(self.columns):
            return f"The row has {len(values)} values; the header has {len(self.columns)} columns."
        if sum(map(len, values)) + len(values) - 1 > MAX_ROW_CHARS:
            return f"The row is longer than {MAX_ROW_CHARS} characters."
        username = values[self.username_at].strip()
        if not username or len(username) > 128 or _SPACE.search(username):
            return "cognito:username is required, at most 128 characters, without spaces or tabs."
        problem = self._mfa(values[self.mfa_at].strip().lower())
        if problem:
            return problem
        attributes: dict[str, str] = {}
        to_check: list[str] = []
        for name, i, length_only in self.attribute_at:
            value = values[i].strip()
            if value:
                attributes[name] = value
                if not length_only or len(value) > 2048:
                    to_check.append(name)
        for flag in ("email_verified", "phone_number_verified"):
            if flag in attributes:
                attributes[flag] = attributes[flag].lower()
        problem = self._verification(attributes)
        if problem:
            return problem
        if "birthdate" in attributes and not BIRTHDATE.match(attributes["birthdate"]):
            return "birthdate must be in the format mm/dd/yyyy."
        try:
            known = len(attributes)
            name = signup.sign_in_name(self.pool, username, attributes)
            if len(attributes) != known:  # the email or phone number the user signs in with was added
                to_check = list(attributes)
            # Every column is an attribute of the schema (the header was checked), so this is what
            # schema.check_attributes(..., admin=True) checks, without rebuilding the index per row.
            for attribute in to_check:
                schema.check_value(self.index[attribute], attributes[attribute])
            schema.check_required(self.schema, attributes)
        except CognateError as exc:
            return exc.message
        # No password: imported users must reset theirs, so no argon2 cost here (Developer Guide).
        return signup.new_user(self.deps, self.pool, name, attributes, UserStatus.RESET_REQUIRED, None)

    def _mfa(self, value: str) -> str | None:
        if value not in ("true", "false"):
            return "cognito:mfa_enabled is required: true or false."
        if self.mfa == "ON" and value != "true":
            return "cognito:mfa_enabled must be true: MFA is required in this user pool."
        if self.mfa == "OFF" and value != "false":
            return "cognito:mfa_enabled must be false: MFA is off in this user pool."
        if value == "true":
            # Cognate keeps no per-user MFA settings yet: importing one would silently drop it.
            return "Cognate does not support importing cognito:mfa_enabled true yet."
        return None

    def _verification(self, attributes: dict[str, str]) -> str | None:
        for attribute, flag in users.ALIAS_VERIFIED.items():
            if attributes.get(flag, "false") not in ("true", "false"):
                return f"{flag} must be true or false."
            if attributes.get(flag) == "true" and not attributes.get(attribute):
                return f"{attribute} is required when {flag} is true."
        if not any(attributes.get(users.ALIAS_VERIFIED[a]) == "true" for a in self.auto):
            return NOT_VERIFIED
        return None

    def _text(self, size: int, errors: str) -> io.TextIOWrapper:
        raw = _CsvPieces(self.deps, self.job_id, size)
        return io.TextIOWrapper(io.BufferedReader(raw), encoding="utf-8-sig", errors=errors, newline="")

    def _own(self, uow: UnitOfWork) -> ImportJob:
        job = uow.import_jobs.get(self.job_id, for_update=True)
        if job is None or job.status not in RUNNING or job.upload_expires != self.lease:
            raise _Lost()
        return job

    def _release(self) -> None:
        with self.deps.store.write() as uow:
            job = self._own(uow)
            job.upload_expires = 0.0
            uow.import_jobs.update(job)
        log.info("user import job %s paused: the server is stopping; the next start resumes it", self.job_id)

    def _log(self, kind: str, line: int, message: str) -> None:
        """Per-row outcomes, as the CloudWatch log of an AWS import job shows them."""
        self.logged += 1
        if self.logged <= LOGGED_ROWS:
            log.info("user import job %s: [%s] Line Number %d - %s", self.job_id, kind, line, message)
        elif self.logged == LOGGED_ROWS + 1:
            log.info("user import job %s: further rows are counted, not logged", self.job_id)


def _records(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """Non-blank data rows with the line number each ends on (the header is line 1)."""
    try:
        for values in reader:
            if values and any(values):
                yield reader.line_num, values
    except (UnicodeDecodeError, csv.Error) as exc:
        # The rest of the file is unreadable: the rows read so far stay imported, the job reports it.
        raise _Unreadable(str(exc)) from exc


class _Unreadable(Exception):
    pass


def _too_many_rows(text: io.TextIOWrapper) -> bool:
    """More than MAX_ROWS users: counted by lines, and by CSV records only when the lines say so."""
    with text:
        lines = sum(1 for _ in text)
        if lines <= MAX_ROWS + 1:
            return False
        text.seek(0)
        return sum(1 for values in csv.reader(text, escapechar="\\") if values and any(values)) - 1 > MAX_ROWS


class _CsvPieces(io.RawIOBase):
    """The job's CSV as a file, fetched from the store a piece at a time, each piece in its own short read.

    The current piece is kept: TextIOWrapper asks for 8 KB at a time, and a store read per 8 KB would be
    quadratic on PostgreSQL, which decompresses the value from its start for every slice.
    """

    def __init__(self, deps: Deps, job_id: str, size: int) -> None:
        self.deps, self.job_id, self.size, self.offset = deps, job_id, size, 0
        self.piece, self.piece_at = b"", 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.offset, io.SEEK_END: self.size}[whence]
        self.offset = base + offset
        return self.offset

    def tell(self) -> int:
        return self.offset

    def readinto(self, buffer: Any) -> int:
        if self.offset >= self.size:
            return 0
        if not self.piece_at <= self.offset < self.piece_at + len(self.piece):
            with self.deps.store.read() as uow:
                self.piece = uow.import_jobs.read_csv(self.job_id, self.offset, PIECE)
            self.piece_at = self.offset
        start = self.offset - self.piece_at
        count = min(len(buffer), len(self.piece) - start)
        buffer[:count] = self.piece[start:start + count]
        self.offset += count
        return count
