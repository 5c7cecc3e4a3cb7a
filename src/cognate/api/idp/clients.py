"""App clients (API reference: CreateUserPoolClient, DescribeUserPoolClient, UpdateUserPoolClient,
DeleteUserPoolClient, ListUserPoolClients)."""

from __future__ import annotations

from cognate.domain.userpool import clients
from cognate.wire.registry import Params, RequestContext, operation

IDP = "cognito-idp"


@operation(IDP, "CreateUserPoolClient")
def create_user_pool_client(ctx: RequestContext, p: Params) -> Params:
    return {"UserPoolClient": clients.create(ctx.deps, p)}


@operation(IDP, "DescribeUserPoolClient", light=True)
def describe_user_pool_client(ctx: RequestContext, p: Params) -> Params:
    return {"UserPoolClient": clients.describe(ctx.deps, p["UserPoolId"], p["ClientId"])}


@operation(IDP, "UpdateUserPoolClient")
def update_user_pool_client(ctx: RequestContext, p: Params) -> Params:
    return {"UserPoolClient": clients.update(ctx.deps, p)}


@operation(IDP, "DeleteUserPoolClient")
def delete_user_pool_client(ctx: RequestContext, p: Params) -> Params:
    clients.delete(ctx.deps, p["UserPoolId"], p["ClientId"])
    return {}


@operation(IDP, "ListUserPoolClients", light=True)
def list_user_pool_clients(ctx: RequestContext, p: Params) -> Params:
    return clients.list_clients(ctx.deps, p["UserPoolId"], p.get("MaxResults", 60), p.get("NextToken"))
