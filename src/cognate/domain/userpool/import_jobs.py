"""User import jobs: GetCSVHeader, CreateUserImportJob, StartUserImportJob, DescribeUserImportJob,
ListUserImportJobs, StopUserImportJob (API reference of each; Developer Guide, "Importing users into a user
pool from a CSV file"). The import itself, and its workers, are in ``import_run.py``.

The job's life: ``Created`` (CSV upload allowed for 15 minutes to ``PreSignedUrl``, served by Cognate at
``PUT /import-jobs/{token}``), then Start: ``Pending`` → ``InProgress`` → ``Succeeded`` or ``Failed``; Stop:
``Stopping`` → ``Stopped``; a job never started within 24 hours reads ``Expired``.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from cognate import ids
from cognate.clock import utc
from cognate.domain import pagination
from cognate.domain.context import Deps
from cognate.domain.errors import (
    InvalidParameterException,
    LimitExceededException,
    PreconditionNotMetException,
    ResourceNotFoundException,
    UnsupportedFeature,
    UserImportInProgressException,
)
from cognate.domain.userpool import pools
from cognate.domain.userpool.import_run import (
    EXPIRED_MESSAGE,
    LEASE,
    Status,
    finish,
    header_of,
    launch,
    recover,
)
from cognate.domain.userpool.model import ImportJob
from cognate.store.ports import UnitOfWork

__all__ = ["recover"]  # app.py resumes interrupted jobs at start through this module

UPLOAD_VALIDITY = 15 * 60        # "The PRE_SIGNED_URL returned in the response is valid for 15 minutes."
START_WINDOW = 24 * 3600         # Expired: "did not start the job within 24-48 hours"
MAX_JOBS_PER_POOL = 1000         # Quotas: user import jobs per pool
MAX_FILE_BYTES = 100 * 1024 * 1024


class UploadRefused(Exception):
    """The CSV upload is refused; ``code`` and ``status`` are S3's, as the presigned URL AWS hands out is S3's."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def csv_header(deps: Deps, pool_id: str) -> dict[str, Any]:
    """GetCSVHeader: AWS's standard columns, then every custom attribute as SchemaAttributes names it."""
    with deps.store.read() as uow:
        pool = pools.get(uow, pool_id)
    return {"UserPoolId": pool.id, "CSVHeader": header_of(pool)}


def create(deps: Deps, request: dict[str, Any]) -> dict[str, Any]:
    """CreateUserImportJob. The PreSignedUrl is Cognate's own upload URL, bearing a random token."""
    if request.get("PasswordHashingAlgorithm"):
        # Where AWS expects the hashes in the CSV is not in Cognate's references: refuse rather than guess.
        raise UnsupportedFeature(f"PasswordHashingAlgorithm {request['PasswordHashingAlgorithm']} (importing "
                                 "password hashes); imported users get RESET_REQUIRED")
    now = deps.clock.now()
    with deps.store.write() as uow:
        pool = pools.get(uow, request["UserPoolId"], for_update=True)
        if uow.import_jobs.count(pool.id) >= MAX_JOBS_PER_POOL:
            raise LimitExceededException(f"A user pool can have at most {MAX_JOBS_PER_POOL} user import jobs.")
        job = ImportJob(id=ids.job_id(), pool_id=pool.id, name=request["JobName"], status=Status.CREATED.value,
                        created=now, role_arn=request["CloudWatchLogsRoleArn"],
                        upload_token=secrets.token_urlsafe(32), upload_expires=now + UPLOAD_VALIDITY)
        uow.import_jobs.add(job)
    return describe_job(deps, job)


def describe(deps: Deps, pool_id: str, job_id: str) -> dict[str, Any]:
    with deps.store.read() as uow:
        return describe_job(deps, _job(uow, pool_id, job_id))


def list_jobs(deps: Deps, pool_id: str, max_results: int, token: str | None) -> dict[str, Any]:
    """ListUserImportJobs: "in chronological order from last created to first created" (Developer Guide)."""
    after = _position(pagination.decode(token, f"import-jobs:{pool_id}")) if token else None
    with deps.store.read() as uow:
        pools.get(uow, pool_id)
        jobs = uow.import_jobs.list(pool_id, after, max_results + 1)
    page = jobs[:max_results]
    out: dict[str, Any] = {"UserImportJobs": [describe_job(deps, job) for job in page]}
    if len(jobs) > max_results:
        out["PaginationToken"] = pagination.encode([page[-1].created, page[-1].id], f"import-jobs:{pool_id}")
    return out


def _position(position: Any) -> tuple[float, str]:
    try:
        created, job_id = position
        return float(created), str(job_id)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterException("Invalid pagination token.") from exc


def start(deps: Deps, pool_id: str, job_id: str) -> dict[str, Any]:
    """StartUserImportJob: ``Created`` → ``Pending``; the import runs in the background.

    Errors (from the operation's list): InvalidParameterException when the job is not ``Created``;
    PreconditionNotMetException when no CSV was uploaded or the pool has no auto-verified attribute ("If the
    user pool has no auto-verified attributes, the import job will not start."). Another job of the pool in
    progress is refused with UserImportInProgressException: AWS's model does not list it for this operation,
    but it is the error AWS names for a pool busy with an import.
    """
    now = deps.clock.now()
    with deps.store.write() as uow:
        pool = pools.get(uow, pool_id, for_update=True)
        job = _job(uow, pool_id, job_id, for_update=True)
        if job.status == Status.CREATED and _expired(job, now):
            finish(uow, job, Status.EXPIRED, EXPIRED_MESSAGE, now)
            raise InvalidParameterException(f"Import job {job_id} has expired.").keeping_writes()
        if job.status != Status.CREATED:
            raise InvalidParameterException(f"Import job {job_id} cannot be started: its status is {job.status}.")
        if uow.import_jobs.csv_size(job.id) is None:
            raise PreconditionNotMetException("The CSV file of this import job has not been uploaded.")
        if not pool.config.get("AutoVerifiedAttributes"):
            raise PreconditionNotMetException("The user pool has no auto-verified attributes: users cannot be "
                                              "imported.")
        if uow.import_jobs.in_progress(pool.id):
            raise UserImportInProgressException("Another user import job is in progress for this user pool.")
        job.status, job.started, job.upload_expires = Status.PENDING.value, now, now + LEASE
        uow.import_jobs.update(job)
    launch(deps, job.id, job.upload_expires)
    return describe_job(deps, job)


def stop(deps: Deps, pool_id: str, job_id: str) -> dict[str, Any]:
    """StopUserImportJob: ``Stopping`` at once, ``Stopped`` when the worker reaches its next batch.

    Users imported by then stay; "After you stop the job, it cannot be restarted." (Developer Guide).
    """
    with deps.store.write() as uow:
        job = _job(uow, pool_id, job_id, for_update=True)
        if job.status not in (Status.PENDING, Status.IN_PROGRESS):
            raise InvalidParameterException(f"Import job {job_id} cannot be stopped: its status is {job.status}.")
        job.status = Status.STOPPING.value
        uow.import_jobs.update(job)
    return describe_job(deps, job)


def upload(deps: Deps, token: str, data: bytes | bytearray) -> str:
    """The PUT of the CSV to the PreSignedUrl; returns the ETag (MD5 of the body, as S3's)."""
    if len(data) > MAX_FILE_BYTES:
        raise UploadRefused(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
    with deps.store.write() as uow:
        job = uow.import_jobs.by_upload_token(token) if token else None
        if job is None:
            raise UploadRefused(403, "AccessDenied", "Access Denied")
        if job.status != Status.CREATED or deps.clock.now() > job.upload_expires:
            raise UploadRefused(403, "AccessDenied", "Request has expired")
        uow.import_jobs.put_csv(job.id, data)
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def describe_job(deps: Deps, job: ImportJob) -> dict[str, Any]:
    """UserImportJobType, timestamps in epoch seconds."""
    status, completed, message = job.status, job.completed, job.message
    if status == Status.CREATED and _expired(job, deps.clock.now()):
        status, completed, message = Status.EXPIRED.value, job.created + START_WINDOW, EXPIRED_MESSAGE
    out: dict[str, Any] = {
        "JobName": job.name, "JobId": job.id, "UserPoolId": job.pool_id, "PreSignedUrl": _upload_url(deps, job),
        "CreationDate": job.created, "Status": status, "CloudWatchLogsRoleArn": job.role_arn,
        "ImportedUsers": job.imported, "SkippedUsers": job.skipped, "FailedUsers": job.failed}
    for key, value in (("StartDate", job.started), ("CompletionDate", completed), ("CompletionMessage", message),
                       ("PasswordHashingAlgorithm", job.hashing_algorithm)):
        if value is not None:
            out[key] = value
    return out


def _upload_url(deps: Deps, job: ImportJob) -> str:
    # X-Amz-Date/X-Amz-Expires say when the URL lapses, as in S3's presigned URLs; the token is the credential.
    stamp = datetime.strftime(utc(job.created), "%Y%m%dT%H%M%SZ")
    return f"{deps.public_url}/import-jobs/{job.upload_token}?X-Amz-Date={stamp}&X-Amz-Expires={UPLOAD_VALIDITY}"


def _expired(job: ImportJob, now: float) -> bool:
    return now > job.created + START_WINDOW


def _job(uow: UnitOfWork, pool_id: str, job_id: str, *, for_update: bool = False) -> ImportJob:
    pools.get(uow, pool_id)
    job = uow.import_jobs.get(job_id, for_update=for_update)
    if job is None or job.pool_id != pool_id:
        raise ResourceNotFoundException(f"Import job {job_id} does not exist in user pool {pool_id}.")
    return job
