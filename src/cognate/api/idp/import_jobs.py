"""User import jobs (API reference: GetCSVHeader, CreateUserImportJob, StartUserImportJob,
DescribeUserImportJob, ListUserImportJobs, StopUserImportJob).

The CSV goes to the job's PreSignedUrl, which Cognate serves itself (``PUT /import-jobs/{token}``,
``web/routes.py``); the rules are in ``domain/userpool/import_jobs.py``.
"""

from __future__ import annotations

from cognate.domain.userpool import import_jobs
from cognate.wire.registry import Params, RequestContext, operation

IDP = "cognito-idp"


@operation(IDP, "GetCSVHeader", light=True)
def get_csv_header(ctx: RequestContext, p: Params) -> Params:
    return import_jobs.csv_header(ctx.deps, p["UserPoolId"])


@operation(IDP, "CreateUserImportJob")
def create_user_import_job(ctx: RequestContext, p: Params) -> Params:
    return {"UserImportJob": import_jobs.create(ctx.deps, p)}


@operation(IDP, "StartUserImportJob")
def start_user_import_job(ctx: RequestContext, p: Params) -> Params:
    return {"UserImportJob": import_jobs.start(ctx.deps, p["UserPoolId"], p["JobId"])}


@operation(IDP, "DescribeUserImportJob", light=True)
def describe_user_import_job(ctx: RequestContext, p: Params) -> Params:
    return {"UserImportJob": import_jobs.describe(ctx.deps, p["UserPoolId"], p["JobId"])}


@operation(IDP, "ListUserImportJobs", light=True)
def list_user_import_jobs(ctx: RequestContext, p: Params) -> Params:
    return import_jobs.list_jobs(ctx.deps, p["UserPoolId"], p["MaxResults"], p.get("PaginationToken"))


@operation(IDP, "StopUserImportJob")
def stop_user_import_job(ctx: RequestContext, p: Params) -> Params:
    return {"UserImportJob": import_jobs.stop(ctx.deps, p["UserPoolId"], p["JobId"])}
