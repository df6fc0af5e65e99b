"""Turn an AWS error that reached the CLI boundary into one line of what happened and one of what to do.

A refusal (4xx: permissions, credentials, validation) needs the user to change something. A server error
(5xx) is AWS failing on its side after botocore's retries; nothing is wrong with the request, so the fix
is simply to run the command again (plan only reads; apply resumes from live state).
"""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

_REMEDIES = {
    "AccessDenied": "The caller lacks a permission this step needs (see the README's permissions list), or a "
    "service control policy denies it: run as the bootstrap or break-glass role.",
    "AccessDeniedException": "The caller lacks a permission this step needs (see the README's permissions list), "
    "or a service control policy denies it: run as the bootstrap or break-glass role.",
    "ExpiredToken": "Your credentials have expired: sign in again (aws sso login, or refresh the profile).",
    "ExpiredTokenException": "Your credentials have expired: sign in again (aws sso login, or refresh the profile).",
    "UnrecognizedClientException": "AWS does not recognise these credentials: check --profile and the keys.",
    "InvalidClientTokenId": "AWS does not recognise these credentials: check --profile and the keys.",
    "SignatureDoesNotMatch": "The secret key does not match the access key: check the credentials.",
    "AWSOrganizationsNotInUseException": "This account is not in an organization yet: run `bootstrap apply`.",
}


SERVER_ERRORS = frozenset(
    {
        "InternalError",
        "InternalFailure",
        "InternalServerError",
        "InternalServerException",
        "ServiceException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)
"""Error codes AWS gives to its own transient failures (some arrive with a 4xx status)."""
RUN_AGAIN = (
    "This is a transient failure on AWS's side, not a problem with your request: run the command again "
    "(plan only reads; apply resumes where it stopped)."
)


def is_server_error(error: ClientError) -> bool:
    """AWS failed on its side (HTTP 5xx, or a code it uses for its own transient failures)."""
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    code = str(error.response.get("Error", {}).get("Code", ""))
    return (isinstance(status, int) and status >= 500) or code in SERVER_ERRORS


def explain_aws_error(error: ClientError | BotoCoreError) -> tuple[str, str]:
    if isinstance(error, ClientError):
        code = str(error.response.get("Error", {}).get("Code", "Unknown"))
        text = str(error.response.get("Error", {}).get("Message", "")) or code
        operation = getattr(error, "operation_name", "a call")
        if is_server_error(error):
            return f"AWS failed {operation} on its side, even after retries: {code}: {text}", RUN_AGAIN
        return (
            f"AWS refused {operation}: {code}: {text}",
            _REMEDIES.get(code, "Check the message above; run again with --debug for the full error."),
        )
    if isinstance(error, NoCredentialsError):
        return "no AWS credentials found", "Configure credentials (aws configure sso, or --profile)."
    if isinstance(error, NoRegionError):
        return "no AWS region configured", "Pass --region or set AWS_DEFAULT_REGION."
    return f"AWS call failed: {error}", "Check the network and --endpoint-url; run again with --debug for details."
