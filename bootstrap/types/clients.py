"""Typed AWS clients for the code in `bootstrap.types`: `client("kms", ...)` is a `KMSClient` to mypy, so every
call's operation, arguments and answer are checked against the service's model (boto3-stubs, a development
dependency: at run time these are plain boto3 clients and nothing here is imported).

`LocatedClients` is what a handler's context offers (a client of a service at a location), `ScopedClients` what
a reader's scope offers (a client of a service in its own account-region). EC2's client is `Any`: its stubs
(`boto3-stubs[ec2]`) are not a development dependency yet, nor are Account Management's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Protocol, overload

if TYPE_CHECKING:
    from mypy_boto3_cloudtrail import CloudTrailClient
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_kms import KMSClient
    from mypy_boto3_logs import CloudWatchLogsClient
    from mypy_boto3_organizations import OrganizationsClient
    from mypy_boto3_resourcegroupstaggingapi import ResourceGroupsTaggingAPIClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3control import S3ControlClient
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_ssm import SSMClient
    from mypy_boto3_sts import STSClient

    from bootstrap.resources import Location


class LocatedClients(Protocol):
    @overload
    def client(self, service: Literal["organizations"], location: Location) -> OrganizationsClient: ...
    @overload
    def client(self, service: Literal["kms"], location: Location) -> KMSClient: ...
    @overload
    def client(self, service: Literal["s3"], location: Location) -> S3Client: ...
    @overload
    def client(self, service: Literal["s3control"], location: Location) -> S3ControlClient: ...
    @overload
    def client(self, service: Literal["cloudtrail"], location: Location) -> CloudTrailClient: ...
    @overload
    def client(self, service: Literal["logs"], location: Location) -> CloudWatchLogsClient: ...
    @overload
    def client(self, service: Literal["cloudwatch"], location: Location) -> CloudWatchClient: ...
    @overload
    def client(self, service: Literal["iam"], location: Location) -> IAMClient: ...
    @overload
    def client(self, service: Literal["sns"], location: Location) -> SNSClient: ...
    @overload
    def client(self, service: Literal["sts"], location: Location) -> STSClient: ...
    @overload
    def client(self, service: Literal["ssm"], location: Location) -> SSMClient: ...
    @overload
    def client(
        self, service: Literal["resourcegroupstaggingapi"], location: Location
    ) -> ResourceGroupsTaggingAPIClient: ...
    @overload
    def client(self, service: Literal["ec2"], location: Location) -> Any: ...  # untyped: see the module's docstring
    @overload
    def client(
        self, service: Literal["budgets", "ce", "account", "sso-admin", "identitystore"], location: Location
    ) -> Any: ...  # no stubs installed
    def client(self, service: str, location: Location) -> Any: ...


class ScopedClients(Protocol):
    @overload
    def client(self, service: Literal["organizations"]) -> OrganizationsClient: ...
    @overload
    def client(self, service: Literal["kms"]) -> KMSClient: ...
    @overload
    def client(self, service: Literal["s3"]) -> S3Client: ...
    @overload
    def client(self, service: Literal["s3control"]) -> S3ControlClient: ...
    @overload
    def client(self, service: Literal["cloudtrail"]) -> CloudTrailClient: ...
    @overload
    def client(self, service: Literal["logs"]) -> CloudWatchLogsClient: ...
    @overload
    def client(self, service: Literal["cloudwatch"]) -> CloudWatchClient: ...
    @overload
    def client(self, service: Literal["iam"]) -> IAMClient: ...
    @overload
    def client(self, service: Literal["sns"]) -> SNSClient: ...
    @overload
    def client(self, service: Literal["sts"]) -> STSClient: ...
    @overload
    def client(self, service: Literal["ssm"]) -> SSMClient: ...
    @overload
    def client(self, service: Literal["resourcegroupstaggingapi"]) -> ResourceGroupsTaggingAPIClient: ...
    @overload
    def client(self, service: Literal["ec2"]) -> Any: ...  # untyped: see the module's docstring
    @overload
    def client(
        self, service: Literal["budgets", "ce", "sso-admin", "identitystore"]
    ) -> Any: ...  # no boto3-stubs for these yet
    def client(self, service: str) -> Any: ...
