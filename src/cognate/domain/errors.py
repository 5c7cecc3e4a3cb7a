"""The error tree of Cognate.

Every error a client can see is a ``CognateError`` that names its AWS error type, so the wire layer maps
errors once (``wire/awsjson.py``) and handlers never build error dicts.

    CognateError
    ├── ClientError (400)         the caller sent something wrong; one subclass per AWS error type
    │   ├── InvalidParameterException, ResourceNotFoundException, UserNotFoundException, ...
    │   └── SigV4 errors: MissingAuthenticationTokenException, InvalidSignatureException, ...
    └── InternalErrorException (500)
"""

from __future__ import annotations

from typing import ClassVar


class CognateError(Exception):
    """An error with an AWS error type and an HTTP status."""

    aws_type: ClassVar[str] = "InternalErrorException"
    status: ClassVar[int] = 400
    default_message: ClassVar[str] = ""
    # True when the transaction that raised must still commit what it wrote (e.g. a wrong code's attempt).
    keep_writes: bool = False

    def __init__(self, message: str | None = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(self.message)

    def keeping_writes(self) -> CognateError:
        self.keep_writes = True
        return self


class ClientError(CognateError):
    """Base of the errors caused by the request (HTTP 400)."""


def _error(name: str, default_message: str = "", status: int = 400) -> type[ClientError]:
    return type(name, (ClientError,), {"aws_type": name, "default_message": default_message, "status": status})


class InternalErrorException(CognateError):
    aws_type = "InternalErrorException"
    status = 500
    default_message = "Internal server error."


class InvalidParameterException(ClientError):
    aws_type = "InvalidParameterException"

    def __init__(self, message: str | None = None, reason_code: str | None = None) -> None:
        super().__init__(message)
        self.reason_code = reason_code


# Protocol-level errors (raised by wire/, never by domain rules).
SerializationException = _error("SerializationException", "Start of structure or map found where not expected.")
UnknownOperationException = _error("UnknownOperationException")
MissingAuthenticationTokenException = _error("MissingAuthenticationTokenException", "Missing Authentication Token")
IncompleteSignatureException = _error("IncompleteSignatureException")
InvalidSignatureException = _error("InvalidSignatureException")
UnrecognizedClientException = _error(
    "UnrecognizedClientException", "The security token included in the request is invalid."
)
AccessDeniedException = _error("AccessDeniedException")

# cognito-idp modelled errors.
NotAuthorizedException = _error("NotAuthorizedException")
ResourceNotFoundException = _error("ResourceNotFoundException")
UserNotFoundException = _error("UserNotFoundException", "User does not exist.")
UsernameExistsException = _error("UsernameExistsException", "User already exists")
AliasExistsException = _error("AliasExistsException", "An account with the given email already exists.")
UserNotConfirmedException = _error("UserNotConfirmedException", "User is not confirmed.")
InvalidPasswordException = _error("InvalidPasswordException")
CodeMismatchException = _error("CodeMismatchException", "Invalid verification code provided, please try again.")
ExpiredCodeException = _error("ExpiredCodeException", "Invalid code provided, please request a code again.")
LimitExceededException = _error("LimitExceededException", "Attempt limit exceeded, please try after some time.")
TooManyFailedAttemptsException = _error("TooManyFailedAttemptsException")
TooManyRequestsException = _error("TooManyRequestsException", "Too many requests.")
CodeDeliveryFailureException = _error("CodeDeliveryFailureException")
InvalidUserPoolConfigurationException = _error("InvalidUserPoolConfigurationException")
UnsupportedUserStateException = _error("UnsupportedUserStateException")
UnsupportedOperationException = _error("UnsupportedOperationException")
UserPoolTaggingException = _error("UserPoolTaggingException")
UserImportInProgressException = _error("UserImportInProgressException")
PreconditionNotMetException = _error("PreconditionNotMetException")
InvalidOAuthFlowException = _error("InvalidOAuthFlowException")
ScopeDoesNotExistException = _error("ScopeDoesNotExistException")
ConcurrentModificationException = _error("ConcurrentModificationException")
InvalidEmailRoleAccessPolicyException = _error("InvalidEmailRoleAccessPolicyException")
InvalidSmsRoleAccessPolicyException = _error("InvalidSmsRoleAccessPolicyException")
FeatureUnavailableInTierException = _error("FeatureUnavailableInTierException")


class NotImplementedOperation(ClientError):
    """An operation of the AWS model that Cognate does not implement (yet): refused, never faked."""

    aws_type = "UnsupportedOperationException"

    def __init__(self, operation: str) -> None:
        super().__init__(f"Cognate does not implement the operation {operation} yet.")
        self.operation = operation


class UnsupportedFeature(ClientError):
    """A parameter value Cognate accepts on the wire but cannot honour: refused with a clear message."""

    aws_type = "InvalidParameterException"

    def __init__(self, feature: str) -> None:
        super().__init__(f"Cognate does not support {feature}.")
PasswordResetRequiredException = _error("PasswordResetRequiredException", "Password reset required for the user")
RefreshTokenReuseException = _error("RefreshTokenReuseException", "Refresh token has already been used.")
UnauthorizedException = _error("UnauthorizedException")
UnsupportedTokenTypeException = _error("UnsupportedTokenTypeException")
GroupExistsException = _error("GroupExistsException")
