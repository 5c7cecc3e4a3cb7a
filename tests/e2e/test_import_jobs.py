"""User import jobs end to end: GetCSVHeader, CreateUserImportJob, the CSV PUT to the PreSignedUrl,
StartUserImportJob, DescribeUserImportJob, ListUserImportJobs, StopUserImportJob (Developer Guide, "Importing
users into a user pool from a CSV file")."""

from __future__ import annotations

import sqlite3
import time
import urllib.error
import urllib.request
from typing import Any

import psycopg
import pytest
from botocore.exceptions import ClientError

from support.factories import create_pool, unique_name
from support.server import CognateServer

ROLE = "arn:aws:iam::000000000000:role/CognitoImportRole"
STANDARD = ["name", "given_name", "family_name", "middle_name", "nickname", "preferred_username", "profile",
            "picture", "website", "email", "email_verified", "gender", "birthdate", "zoneinfo", "locale",
            "phone_number", "phone_number_verified", "address", "updated_at", "cognito:mfa_enabled",
            "cognito:username"]
RUNNING = {"Pending", "InProgress", "Stopping"}


def email_pool(idp: Any, **overrides: Any) -> str:
    return str(create_pool(idp, AutoVerifiedAttributes=["email"], **overrides)["Id"])


def row(username: str, **attributes: str) -> dict[str, str]:
    """A valid row by default: a verified email, MFA off."""
    values = {"cognito:username": username, "email": f"{username}@example.com", "email_verified": "TRUE",
              "cognito:mfa_enabled": "FALSE"}
    values.update(attributes)
    return values


def csv_of(header: list[str], rows: list[dict[str, str]]) -> bytes:
    lines = [",".join(header)] + [",".join(r.get(column, "") for column in header) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def put(url: str, data: bytes) -> tuple[int, bytes]:
    """The upload as the Developer Guide does it (curl -T with the encryption header)."""
    request = urllib.request.Request(url, data=data, method="PUT",
                                     headers={"x-amz-server-side-encryption": "aws:kms"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def new_job(idp: Any, pool_id: str) -> dict[str, Any]:
    job: dict[str, Any] = idp.create_user_import_job(JobName=unique_name("job"), UserPoolId=pool_id,
                                                     CloudWatchLogsRoleArn=ROLE)["UserImportJob"]
    return job


def uploaded_job(idp: Any, pool_id: str, rows: list[dict[str, str]]) -> dict[str, Any]:
    job = new_job(idp, pool_id)
    header = idp.get_csv_header(UserPoolId=pool_id)["CSVHeader"]
    status, _ = put(job["PreSignedUrl"], csv_of(header, rows))
    assert status == 200
    return job


def wait_done(idp: Any, pool_id: str, job_id: str, attempts: int = 1200) -> dict[str, Any]:
    """Poll until the job leaves Pending/InProgress/Stopping (bounded; no assertion on how long it takes)."""
    for _ in range(attempts):
        job: dict[str, Any] = idp.describe_user_import_job(UserPoolId=pool_id, JobId=job_id)["UserImportJob"]
        if job["Status"] not in RUNNING:
            return job
        time.sleep(0.1)
    raise AssertionError(f"import job {job_id} still {job['Status']} after {attempts} polls")


def run_import(idp: Any, pool_id: str, rows: list[dict[str, str]]) -> dict[str, Any]:
    job = uploaded_job(idp, pool_id, rows)
    started = idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])["UserImportJob"]
    assert started["Status"] in {"Pending", "InProgress", "Succeeded"}
    return wait_done(idp, pool_id, job["JobId"])


def error_code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def many_rows(count: int, prefix: str) -> list[dict[str, str]]:
    return [row(f"{prefix}{i:06d}", given_name="Ann", family_name=f"Lee{i % 97}") for i in range(count)]


# --- header and jobs --------------------------------------------------------------------------------------


def test_csv_header_lists_standard_then_custom_attributes(idp: Any) -> None:
    pool_id = email_pool(idp, Schema=[{"Name": "tenant", "AttributeDataType": "String"},
                                      {"Name": "secret", "AttributeDataType": "String",
                                       "DeveloperOnlyAttribute": True}])
    header = idp.get_csv_header(UserPoolId=pool_id)
    assert header["UserPoolId"] == pool_id
    assert header["CSVHeader"] == [*STANDARD, "custom:tenant", "dev:custom:secret"]


def test_unknown_pool_is_not_found(idp: Any) -> None:
    with pytest.raises(ClientError) as exc:
        idp.get_csv_header(UserPoolId="us-east-1_nopool000")
    assert error_code(exc) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:
        new_job(idp, "us-east-1_nopool000")
    assert error_code(exc) == "ResourceNotFoundException"


def test_create_describes_a_created_job_with_an_upload_url(idp: Any, server: CognateServer) -> None:
    pool_id = email_pool(idp)
    job = new_job(idp, pool_id)
    assert job["JobId"].startswith("import-") and len(job["JobId"]) == 17
    assert job["Status"] == "Created"
    assert job["CloudWatchLogsRoleArn"] == ROLE
    assert (job["ImportedUsers"], job["SkippedUsers"], job["FailedUsers"]) == (0, 0, 0)
    assert job["PreSignedUrl"].startswith(f"{server.url}/import-jobs/")
    described = idp.describe_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])["UserImportJob"]
    assert described == job


def test_describe_unknown_job_or_other_pool_is_not_found(idp: Any) -> None:
    pool_id, other = email_pool(idp), email_pool(idp)
    job = new_job(idp, pool_id)
    for pool, job_id in ((pool_id, "import-doesnotexist"), (other, job["JobId"])):
        with pytest.raises(ClientError) as exc:
            idp.describe_user_import_job(UserPoolId=pool, JobId=job_id)
        assert error_code(exc) == "ResourceNotFoundException"


def test_password_hashing_algorithm_is_refused_not_ignored(idp: Any) -> None:
    with pytest.raises(ClientError) as exc:
        idp.create_user_import_job(JobName="hashes", UserPoolId=email_pool(idp), CloudWatchLogsRoleArn=ROLE,
                                   PasswordHashingAlgorithm="ARGON2ID")
    assert error_code(exc) == "InvalidParameterException"
    assert "PasswordHashingAlgorithm" in exc.value.response["Error"]["Message"]


def test_list_jobs_newest_first_with_pagination(idp: Any) -> None:
    pool_id = email_pool(idp)
    created = [new_job(idp, pool_id)["JobId"] for _ in range(5)]
    seen: list[str] = []
    kwargs: dict[str, Any] = {"UserPoolId": pool_id, "MaxResults": 2}
    while True:
        page = idp.list_user_import_jobs(**kwargs)
        assert len(page["UserImportJobs"]) <= 2
        seen += [job["JobId"] for job in page["UserImportJobs"]]
        if "PaginationToken" not in page:
            break
        kwargs["PaginationToken"] = page["PaginationToken"]
    assert seen == list(reversed(created))
    with pytest.raises(ClientError) as exc:
        idp.list_user_import_jobs(UserPoolId=pool_id, MaxResults=2, PaginationToken="bm90LWEtdG9rZW4")
    assert error_code(exc) == "InvalidParameterException"


# --- upload -----------------------------------------------------------------------------------------------


def test_unknown_upload_token_is_refused(server: CognateServer) -> None:
    status, body = put(f"{server.url}/import-jobs/not-a-token", b"cognito:username\n")
    assert status == 403
    assert b"<Code>AccessDenied</Code>" in body


def _expire_upload(server: CognateServer, job_id: str) -> None:
    """Move the job's upload deadline into the past, directly in the database (the server's clock is real)."""
    query = "UPDATE import_jobs SET upload_expires = 1 WHERE id = "
    if server.database_url:
        with psycopg.connect(server.database_url, autocommit=True) as conn:
            conn.execute(query + "%s", (job_id,))
    else:
        with sqlite3.connect(server.data_dir / "cognate.db") as conn:
            conn.execute(query + "?", (job_id,))


def test_expired_upload_url_is_refused(idp: Any, server: CognateServer) -> None:
    job = new_job(idp, email_pool(idp))
    _expire_upload(server, job["JobId"])
    status, body = put(job["PreSignedUrl"], b"cognito:username\n")
    assert status == 403
    assert b"<Code>AccessDenied</Code>" in body


def test_upload_is_refused_once_the_job_started(idp: Any) -> None:
    pool_id = email_pool(idp)
    job = uploaded_job(idp, pool_id, [row("once")])
    idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    status, _ = put(job["PreSignedUrl"], b"cognito:username\n")
    assert status == 403
    wait_done(idp, pool_id, job["JobId"])


# --- start and the import ---------------------------------------------------------------------------------


def test_import_creates_reset_required_users(idp: Any) -> None:
    pool_id = email_pool(idp, Schema=[{"Name": "tenant", "AttributeDataType": "String"}])
    rows = [row(f"imp{i}", given_name="Jo", family_name="Doe\\, Jr", phone_number="+12345550100",
                phone_number_verified="true", birthdate="02/01/1985", **{"custom:tenant": "acme"})
            for i in range(3)]
    job = run_import(idp, pool_id, rows)

    assert job["Status"] == "Succeeded"
    assert job["CompletionMessage"] == "Import Job Completed Successfully."
    assert (job["ImportedUsers"], job["SkippedUsers"], job["FailedUsers"]) == (3, 0, 0)
    assert job["StartDate"] <= job["CompletionDate"]
    user = idp.admin_get_user(UserPoolId=pool_id, Username="imp1")
    assert user["UserStatus"] == "RESET_REQUIRED"
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attributes["email"] == "imp1@example.com"
    assert attributes["email_verified"] == "true"
    assert attributes["family_name"] == "Doe, Jr"
    assert attributes["custom:tenant"] == "acme"
    assert attributes["birthdate"] == "02/01/1985"
    found = idp.list_users(UserPoolId=pool_id, Filter='email = "imp2@example.com"')["Users"]
    assert [u["Username"] for u in found] == ["imp2"]
    assert found[0]["UserStatus"] == "RESET_REQUIRED"
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["EstimatedNumberOfUsers"] == 3


def test_bad_rows_are_counted_and_do_not_stop_the_job(idp: Any) -> None:
    pool_id = email_pool(idp)
    idp.admin_create_user(UserPoolId=pool_id, Username="already", MessageAction="SUPPRESS")
    good = [row(f"good{i}") for i in range(8)]
    bad = [
        row("unverified", email_verified="false"),        # no auto-verified attribute verified
        row("noemail", email=""),                         # email_verified true without an email
        row("mfaon", **{"cognito:mfa_enabled": "TRUE"}),  # MFA is off in this pool
        row("has space"),                                 # user names cannot hold spaces
        row("baddate", birthdate="1985-02-01"),           # birthdate is mm/dd/yyyy
        row("badmail", email="not-an-email"),
    ]
    skipped = [row("already"), row("good0")]              # an existing user; a repeat within the file
    job = run_import(idp, pool_id, [*good, *bad, *skipped])

    assert job["Status"] == "Succeeded"
    assert (job["ImportedUsers"], job["FailedUsers"], job["SkippedUsers"]) == (8, 6, 2)
    users = idp.list_users(UserPoolId=pool_id)["Users"]
    assert sorted(u["Username"] for u in users) == sorted(["already", *(f"good{i}" for i in range(8))])


def test_a_file_of_mostly_bad_rows_fails(idp: Any) -> None:
    pool_id = email_pool(idp)
    job = run_import(idp, pool_id, [row("ok"), row("x1", email_verified="false"), row("x2", email_verified="no")])
    assert job["Status"] == "Failed"
    assert job["CompletionMessage"] == "Too many users have failed or been skipped during the import."
    assert (job["ImportedUsers"], job["FailedUsers"]) == (1, 2)


def test_a_header_that_does_not_match_fails_the_job(idp: Any) -> None:
    pool_id = email_pool(idp)
    job = new_job(idp, pool_id)
    assert put(job["PreSignedUrl"], b"cognito:username,email,email_verified\nann,ann@example.com,true\n")[0] == 200
    idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    done = wait_done(idp, pool_id, job["JobId"])
    assert done["Status"] == "Failed"
    assert "cognito:mfa_enabled" in done["CompletionMessage"]
    assert done["ImportedUsers"] == 0


@pytest.mark.parametrize(("content", "message"), [
    (b"", "no header row"),
    (b"\xff\xfe not UTF-8\n", "unreadable"),
])
def test_an_unreadable_file_fails_the_job(idp: Any, content: bytes, message: str) -> None:
    pool_id = email_pool(idp)
    job = new_job(idp, pool_id)
    assert put(job["PreSignedUrl"], content)[0] == 200
    idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    done = wait_done(idp, pool_id, job["JobId"])
    assert done["Status"] == "Failed"
    assert message in done["CompletionMessage"]


def test_rows_after_invalid_utf8_fail_the_job_and_keep_earlier_users(idp: Any) -> None:
    pool_id = email_pool(idp)
    header = idp.get_csv_header(UserPoolId=pool_id)["CSVHeader"]
    job = new_job(idp, pool_id)
    # Past the first 8 KB the decoder reads: the rows before the bad bytes are imported.
    before = [row(f"before{i}") for i in range(300)]
    data = csv_of(header, before) + b"\xff\xfe\n" + csv_of(header, [row("after")]).split(b"\n", 1)[1]
    assert put(job["PreSignedUrl"], data)[0] == 200
    idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    done = wait_done(idp, pool_id, job["JobId"])
    assert done["Status"] == "Failed"
    assert "unreadable" in done["CompletionMessage"]
    assert done["ImportedUsers"] > 0
    assert idp.admin_get_user(UserPoolId=pool_id, Username="before0")["UserStatus"] == "RESET_REQUIRED"


def test_email_username_pool_imports_by_email(idp: Any) -> None:
    pool_id = email_pool(idp, UsernameAttributes=["email"])
    rows = [row("one@example.com", email="one@example.com"), row("one@example.com", email="one@example.com"),
            row("two@example.com", email="two@example.com")]
    job = run_import(idp, pool_id, rows)
    assert (job["ImportedUsers"], job["SkippedUsers"]) == (2, 1)
    user = idp.admin_get_user(UserPoolId=pool_id, Username="two@example.com")
    assert user["UserStatus"] == "RESET_REQUIRED"


def test_start_twice_is_refused(idp: Any) -> None:
    pool_id = email_pool(idp)
    job = uploaded_job(idp, pool_id, [row("twice")])
    idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    with pytest.raises(ClientError) as exc:
        idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert error_code(exc) == "InvalidParameterException"
    wait_done(idp, pool_id, job["JobId"])
    with pytest.raises(ClientError) as exc:
        idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert error_code(exc) == "InvalidParameterException"


def test_start_without_upload_is_refused(idp: Any) -> None:
    pool_id = email_pool(idp)
    job = new_job(idp, pool_id)
    with pytest.raises(ClientError) as exc:
        idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert error_code(exc) == "PreconditionNotMetException"
    described = idp.describe_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])["UserImportJob"]
    assert described["Status"] == "Created"


def test_pool_without_auto_verified_attributes_cannot_start(idp: Any) -> None:
    pool_id = str(create_pool(idp)["Id"])
    job = uploaded_job(idp, pool_id, [row("ann")])
    with pytest.raises(ClientError) as exc:
        idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert error_code(exc) == "PreconditionNotMetException"


def test_one_job_in_progress_per_pool(idp: Any) -> None:
    pool_id = email_pool(idp)
    first = uploaded_job(idp, pool_id, many_rows(60_000, "first"))
    second = uploaded_job(idp, pool_id, [row("second")])
    idp.start_user_import_job(UserPoolId=pool_id, JobId=first["JobId"])
    try:
        idp.start_user_import_job(UserPoolId=pool_id, JobId=second["JobId"])
        refused = False
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "UserImportInProgressException"
        refused = True
    state = idp.describe_user_import_job(UserPoolId=pool_id, JobId=first["JobId"])["UserImportJob"]["Status"]
    # Starting the second job is legitimate only if the first one had already finished.
    assert refused or state not in RUNNING
    assert wait_done(idp, pool_id, first["JobId"])["ImportedUsers"] == 60_000


# --- stop -------------------------------------------------------------------------------------------------


def test_stop_a_running_job(idp: Any) -> None:
    pool_id = email_pool(idp)
    job = uploaded_job(idp, pool_id, many_rows(40_000, "stop"))
    with pytest.raises(ClientError) as exc:  # not started yet
        idp.stop_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert error_code(exc) == "InvalidParameterException"

    idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    try:
        stopping = idp.stop_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])["UserImportJob"]
    except ClientError as exc:  # the whole file was imported before the stop arrived
        assert exc.response["Error"]["Code"] == "InvalidParameterException"
        assert wait_done(idp, pool_id, job["JobId"])["Status"] == "Succeeded"
        return
    assert stopping["Status"] == "Stopping"
    done = wait_done(idp, pool_id, job["JobId"])
    assert done["Status"] == "Stopped"
    assert done["CompletionMessage"] == "The Import Job was stopped by the developer."
    assert done["ImportedUsers"] + done["SkippedUsers"] + done["FailedUsers"] <= 40_000
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["EstimatedNumberOfUsers"] == done["ImportedUsers"]
    with pytest.raises(ClientError) as exc:
        idp.stop_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert error_code(exc) == "InvalidParameterException"
    with pytest.raises(ClientError) as exc:
        idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert error_code(exc) == "InvalidParameterException"


# --- restarts ---------------------------------------------------------------------------------------------


def test_a_job_interrupted_by_a_restart_resumes_exactly_once(fresh_server: Any) -> None:
    server = fresh_server()
    idp = server.client("cognito-idp")
    pool_id = email_pool(idp)
    job = uploaded_job(idp, pool_id, many_rows(30_000, "restart"))
    idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    server.restart()

    done = wait_done(idp, pool_id, job["JobId"])
    assert done["Status"] == "Succeeded"
    assert (done["ImportedUsers"], done["SkippedUsers"], done["FailedUsers"]) == (30_000, 0, 0)
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["EstimatedNumberOfUsers"] == 30_000
    assert idp.admin_get_user(UserPoolId=pool_id, Username="restart029999")["UserStatus"] == "RESET_REQUIRED"
