"""User pools (API reference: CreateUserPool, DescribeUserPool, UpdateUserPool, DeleteUserPool,
ListUserPools, TagResource, UntagResource, ListTagsForResource)."""

from __future__ import annotations

from cognate.domain.userpool import pools
from cognate.wire.registry import Params, RequestContext, operation

IDP = "cognito-idp"


@operation(IDP, "CreateUserPool")
def create_user_pool(ctx: RequestContext, p: Params) -> Params:
    return {"UserPool": pools.create(ctx.deps, ctx.region, p)}


@operation(IDP, "DescribeUserPool", light=True)
def describe_user_pool(ctx: RequestContext, p: Params) -> Params:
    return {"UserPool": pools.describe(ctx.deps, p["UserPoolId"])}


@operation(IDP, "UpdateUserPool")
def update_user_pool(ctx: RequestContext, p: Params) -> Params:
    pools.update(ctx.deps, p)
    return {}


@operation(IDP, "DeleteUserPool")
def delete_user_pool(ctx: RequestContext, p: Params) -> Params:
    pools.delete(ctx.deps, p["UserPoolId"])
    return {}


@operation(IDP, "ListUserPools", light=True)
def list_user_pools(ctx: RequestContext, p: Params) -> Params:
    return pools.list_pools(ctx.deps, ctx.region, p["MaxResults"], p.get("NextToken"))


@operation(IDP, "TagResource")
def tag_resource(ctx: RequestContext, p: Params) -> Params:
    pools.tag(ctx.deps, p["ResourceArn"], p.get("Tags", {}))
    return {}


@operation(IDP, "UntagResource")
def untag_resource(ctx: RequestContext, p: Params) -> Params:
    pools.untag(ctx.deps, p["ResourceArn"], p.get("TagKeys", []))
    return {}


@operation(IDP, "ListTagsForResource", light=True)
def list_tags_for_resource(ctx: RequestContext, p: Params) -> Params:
    return {"Tags": pools.list_tags(ctx.deps, p["ResourceArn"])}
