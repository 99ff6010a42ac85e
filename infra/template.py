"""The CloudFormation template of one stage, generated from the one table definition.

Regenerate the committed copies with `python -m infra.template > infra/template.yaml` (the eight
tables) and `python -m infra.template --layout single > infra/template-single.yaml` (one table);
a test fails when they differ. Tables, keys, indexes and streams come from the layout's
definition (adapters/dynamodb/layout_*.py), and what each role may reach from its grants
(adapters/dynamodb/grants.py), so the deployed tables are the ones the adapters, the local server
and the tests use.

What it declares (docs/decisions/104-deployment-template.md, 156-operating-the-functions.md): a
customer-managed KMS key (rotated) encrypting every table; the layout's tables (on demand,
point-in-time recovery, deletion protection, retained on stack deletion); four arm64 functions
with one least-privilege role and one JSON log group (with retention) each, the HTTP and webhook
ones invoked through SnapStart aliases; an HTTP API with a Cognito JWT authorizer; the event bus;
one event source mapping per table stream; the reminder schedule; alarms on the stream
consumer's failure queue and on the API's 5xx answers, notifying a topic. Secrets are SSM
SecureString parameters the functions read at init (infra/secret_parameters.py), never values in
the template.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import yaml

from adapters.dynamodb.grants import Grant, Role, grants
from adapters.dynamodb.layout import LAYOUTS, Layout, layout_for
from adapters.dynamodb.tables import Table, create_table_request

Node = dict[str, Any]

RUNTIME = "python3.12"
# Graviton: 20% less per GB-second than x86_64 (docs/decisions/155-the-lambda-bundle.md).
ARCHITECTURE = "arm64"
LOG_RETENTION_DAYS = 90
ACCOUNT_ROOT = "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"
# The price ids are plain SSM parameters, resolved at deploy time (they are not secret).
STRIPE_PRICE_PARAMETER = "/flowlogic/${Stage}/stripe/price-"
# Secrets: SSM SecureString parameters the deployer creates (README "Deploying to AWS"), read by
# the functions at init. Setting variable -> parameter name; each function reads only its own.
SECRET_PARAMETERS = {
    "FLOWLOGIC_JWT_SECRET": "/flowlogic/${Stage}/jwt-secret",
    "STRIPE_API_KEY": "/flowlogic/${Stage}/stripe/api-key",
    "STRIPE_WEBHOOK_SECRET": "/flowlogic/${Stage}/stripe/webhook-secret",
}
TEMPLATE_FILES = {"multi": "template.yaml", "single": "template-single.yaml"}
# The stage is a template parameter: the layout names tables with it, for `Fn::Sub`.
STAGE_PARAMETER = "${Stage}"

# Functions: logical id prefix -> (name suffix, handler, timeout seconds, memory MB).
HTTP, WEBHOOK, STREAM, REMINDERS = "Http", "Webhook", "Stream", "Reminders"
FUNCTIONS: dict[str, tuple[str, str, int, int]] = {
    HTTP: ("http", "infra.lambda_http.handler", 29, 1024),
    WEBHOOK: ("webhook", "infra.lambda_webhook.handler", 29, 512),
    STREAM: ("stream", "infra.lambda_stream.handler", 60, 256),
    REMINDERS: ("reminders", "infra.lambda_reminders.handler", 900, 512),
}
# The secrets each function reads (the HTTP app seals cursors with the JWT secret's key and
# serves the Stripe routes; the webhook verifies and retrieves; the other two read none).
FUNCTION_SECRETS: dict[str, tuple[str, ...]] = {
    HTTP: ("FLOWLOGIC_JWT_SECRET", "STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET"),
    WEBHOOK: ("STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET"),
    STREAM: (),
    REMINDERS: (),
}
# SnapStart restores the API functions' initialised snapshots instead of running their init
# (docs/decisions/153-cold-start.md); API Gateway invokes each through this alias.
SNAPSTART = (HTTP, WEBHOOK)
LIVE_ALIAS = "live"
# The daily reminder job: 07:00 UTC, before most users' morning (docs/decisions/113).
REMINDER_SCHEDULE = "cron(0 7 * * ? *)"

# What each function may do to which tables and indexes (SPEC.md 11: least privilege).
HTTP_TABLE_ACTIONS = (
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
)
WEBHOOK_TABLE_ACTIONS = (
    "dynamodb:ConditionCheckItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
)
STREAM_ACTIONS = (
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
)
TABLE_KEY_ACTIONS = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey")

# Stream consumption (docs/decisions/103-partial-batch-failures.md).
STREAM_BATCH_SIZE = 100
STREAM_MAX_RETRIES = 8
# Streams keep records 24 h; giving up after 6 h leaves 18 h to replay from the failure queue.
STREAM_MAX_RECORD_AGE_SECONDS = 6 * 3600

# Routes: (route key, function, needs a token). The application checks groups and ownership.
ROUTES: tuple[tuple[str, str, bool], ...] = (
    ("GET /health", HTTP, False),
    ("GET /v1/tests", HTTP, False),
    ("ANY /v1/me", HTTP, True),
    ("ANY /v1/me/{proxy+}", HTTP, True),
    ("ANY /v1/worker/{proxy+}", HTTP, True),
    ("ANY /v1/admin/{proxy+}", HTTP, True),
    ("POST /v1/stripe/webhook", WEBHOOK, False),
)


_COUNTS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def description(layout: Layout) -> str:
    """The template's own text: what it declares, counted (a test holds it to the resources)."""
    count = len(layout.tables())
    tables = f"{_COUNTS[count - 1]} KMS-encrypted DynamoDB table{'s' if count > 1 else ''}"
    return (
        f"Flow Logic core, one stage ({layout.name} table layout): {tables}, four arm64 Python "
        "3.12 functions (HTTP and webhook with SnapStart) with JSON logs, an HTTP API with a "
        "Cognito JWT authorizer, the event bus, stream mappings, the daily reminder schedule and "
        "alarms. Secrets are SSM SecureString parameters read at run time."
    )


def ref(name: str) -> Node:
    return {"Ref": name}


def get_att(resource: str, attribute: str) -> Node:
    return {"Fn::GetAtt": [resource, attribute]}


def sub(text: str) -> Node:
    return {"Fn::Sub": text}


def table_id(table: Table) -> str:
    """The logical id of a table: `calendar-tasks` → `CalendarTasksTable`."""
    return "".join(part.capitalize() for part in table.logical.split("-")) + "Table"


def stream_mapping_id(table: Table) -> str:
    return table_id(table).removesuffix("Table") + "StreamMapping"


def template_layout(name: str = "multi") -> Layout:
    """The layout `name` with the stage left as the template's parameter."""
    return layout_for(name, STAGE_PARAMETER, 1)


def build_template(layout_name: str = "multi") -> Node:
    """The whole template of a layout as a dict (CloudFormation's JSON form, rendered to YAML)."""
    layout = template_layout(layout_name)
    resources: Node = {"TableKey": _table_key(), "TableKeyAlias": _table_key_alias()}
    resources.update({table_id(table): _table(table, layout) for table in layout.tables()})
    resources["EventBus"] = {
        "Type": "AWS::Events::EventBus",
        "Properties": {"Name": sub("flowlogic-${Stage}")},
    }
    resources["StreamFailureQueue"] = _stream_failure_queue()
    for prefix in FUNCTIONS:
        resources.update(_function(prefix, layout))
    resources.update(_http_api())
    resources.update(_reminder_schedule())
    resources.update(_alarms())
    for table in _streamed_tables(layout):
        resources[stream_mapping_id(table)] = _stream_mapping(table)
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": description(layout),
        "Parameters": _parameters(layout),
        "Resources": resources,
        "Outputs": _outputs(layout),
    }


def render(template: Node, layout_name: str = "multi") -> str:
    """The template as YAML, keys in declaration order, with the generated-file header."""
    body = yaml.safe_dump(template, sort_keys=False, default_flow_style=False, width=1000)
    return header(layout_name) + body


def header(layout_name: str) -> str:
    option = "" if layout_name == "multi" else f" --layout {layout_name}"
    command = f"python -m infra.template{option} > infra/{TEMPLATE_FILES[layout_name]}"
    return f"# Generated by `{command}`. Do not edit by hand.\n"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m infra.template")
    parser.add_argument("--layout", choices=LAYOUTS, default="multi", help="the table layout")
    args = parser.parse_args(argv)
    sys.stdout.write(render(build_template(args.layout), args.layout))


# --- parameters and outputs ------------------------------------------------------------------


def _parameters(layout: Layout) -> Node:
    named = "flowlogic-{stage}" if len(layout.tables()) == 1 else "flowlogic-{stage}-<table>"
    return {
        "Stage": {
            "Type": "String",
            "Description": f"The {{stage}} in {named} (FLOWLOGIC_STAGE).",
            "AllowedPattern": "^[a-z0-9-]{1,32}$",
        },
        "CodeBucket": {
            "Type": "String",
            "Description": "S3 bucket holding the deployment package (`make package`) of the four "
            "functions.",
        },
        "CodeKey": {
            "Type": "String",
            "Description": "S3 key of the deployment package (zip); a new key publishes new "
            "versions of the SnapStart functions.",
        },
        "VideoBucket": {
            "Type": "String",
            "Description": "S3 bucket video uploads are pre-signed for (FLOWLOGIC_VIDEO_BUCKET).",
        },
        "CognitoIssuer": {
            "Type": "String",
            "Description": "JWT issuer: https://cognito-idp.<region>.amazonaws.com/<user pool id>.",
        },
        "CognitoAudience": {
            "Type": "CommaDelimitedList",
            "Description": "Accepted JWT audiences: the user pool's app client ids.",
        },
        "StreamStartingPosition": {
            "Type": "String",
            "Description": "Where a new stream consumer mapping starts: TRIM_HORIZON, or LATEST "
            "when the tables were filled by a layout copy and follower (a cut-over: decision 139).",
            "AllowedValues": ["TRIM_HORIZON", "LATEST"],
            "Default": "TRIM_HORIZON",
        },
    }


def _outputs(layout: Layout) -> Node:
    outputs: Node = {
        "HttpApiUrl": {
            "Description": "Base URL of the HTTP API.",
            "Value": sub("https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"),
        },
        "EventBusName": {"Value": get_att("EventBus", "Name")},
        "EventBusArn": {"Value": get_att("EventBus", "Arn")},
        "TableKeyArn": {"Value": get_att("TableKey", "Arn")},
        "AlarmTopicArn": {
            "Description": "Subscribe to it to hear of the alarms.",
            "Value": ref("AlarmTopic"),
        },
    }
    for table in layout.tables():
        outputs[table_id(table) + "Name"] = {"Value": ref(table_id(table))}
    return outputs


# --- encryption and tables -------------------------------------------------------------------


def _table_key() -> Node:
    return {
        "Type": "AWS::KMS::Key",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {
            "Description": sub("Encrypts the flowlogic-${Stage} DynamoDB tables and streams."),
            "EnableKeyRotation": True,
            "PendingWindowInDays": 30,
            "KeyPolicy": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        # The account administers the key; principals get use through IAM
                        # policies (the function roles below), never through this policy.
                        "Sid": "AccountAdministersTheKeyAndDelegatesUseToIam",
                        "Effect": "Allow",
                        "Principal": {"AWS": sub(ACCOUNT_ROOT)},
                        "Action": "kms:*",
                        "Resource": "*",
                    }
                ],
            },
        },
    }


def _table_key_alias() -> Node:
    return {
        "Type": "AWS::KMS::Alias",
        "Properties": {
            "AliasName": sub("alias/flowlogic-${Stage}-tables"),
            "TargetKeyId": ref("TableKey"),
        },
    }


def _table(table: Table, layout: Layout) -> Node:
    """A table as CloudFormation declares it, from the same CreateTable request as local runs."""
    request = create_table_request(table, "")
    properties: Node = {
        "TableName": sub(layout.physical(table)),
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": request["AttributeDefinitions"],
        "KeySchema": request["KeySchema"],
    }
    for indexes in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if indexes in request:
            properties[indexes] = request[indexes]
    if "StreamSpecification" in request:
        properties["StreamSpecification"] = {
            "StreamViewType": request["StreamSpecification"]["StreamViewType"]
        }
    properties["SSESpecification"] = {
        "SSEEnabled": True,
        "SSEType": "KMS",
        "KMSMasterKeyId": ref("TableKey"),
    }
    properties["PointInTimeRecoverySpecification"] = {"PointInTimeRecoveryEnabled": True}
    properties["DeletionProtectionEnabled"] = True
    return {
        "Type": "AWS::DynamoDB::Table",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": properties,
    }


def _grant_arns(grant: Grant) -> list[Node]:
    """The ARNs of a grant's table (when whole) and of the indexes it names."""
    table = table_id(grant.table)
    arns: list[Node] = [get_att(table, "Arn")] if grant.whole_table else []
    arns.extend(sub(f"${{{table}.Arn}}/index/{index}") for index in grant.indexes)
    return arns


def _table_statement(sid: str, actions: tuple[str, ...], role: Role, layout: Layout) -> Node:
    """One statement: `actions` on what the role's grants name, bounded to the partitions they
    allow when they name some (`dynamodb:LeadingKeys`, decision 135)."""
    found = grants(layout, role)
    statement: Node = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": list(actions) if len(actions) > 1 else actions[0],
        "Resource": [arn for grant in found for arn in _grant_arns(grant)],
    }
    leading = sorted({pattern for grant in found for pattern in grant.leading_keys})
    if leading:
        # Every partition key value a request addresses must match (ForAllValues).
        statement["Condition"] = {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": leading}}
    return statement


def _layout_check_statement(layout: Layout) -> Node:
    """DescribeTable (metadata only) on both layouts' tables by name: the first invocation
    refuses tables of the other layout and names them (decision 138)."""
    other = template_layout(next(name for name in LAYOUTS if name != layout.name))
    table_arn = "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/"
    return {
        "Sid": "CheckTheTableLayout",
        "Effect": "Allow",
        "Action": "dynamodb:DescribeTable",
        "Resource": [
            sub(table_arn + name) for name in (*layout.table_names(), *other.table_names())
        ],
    }


def _streamed_tables(layout: Layout) -> tuple[Table, ...]:
    return tuple(table for table in layout.tables() if table.stream)


# --- functions and roles ---------------------------------------------------------------------


def _function(prefix: str, layout: Layout) -> Node:
    suffix, handler, timeout, memory = FUNCTIONS[prefix]
    name = f"flowlogic-${{Stage}}-{suffix}"
    properties: Node = {
        "FunctionName": sub(name),
        "Runtime": RUNTIME,
        "Architectures": [ARCHITECTURE],
        "Handler": handler,
        "Code": {"S3Bucket": ref("CodeBucket"), "S3Key": ref("CodeKey")},
        "Role": get_att(f"{prefix}Role", "Arn"),
        "Timeout": timeout,
        "MemorySize": memory,
        "Environment": {"Variables": _environment(prefix, layout)},
        # The functions write one JSON object per line themselves (infra/logs.py).
        "LoggingConfig": {"LogFormat": "JSON", "LogGroup": ref(f"{prefix}LogGroup")},
    }
    if prefix in SNAPSTART:
        properties["SnapStart"] = {"ApplyOn": "PublishedVersions"}
    return {
        f"{prefix}LogGroup": {
            "Type": "AWS::Logs::LogGroup",
            "DeletionPolicy": "Delete",
            "UpdateReplacePolicy": "Delete",
            "Properties": {
                "LogGroupName": sub(f"/aws/lambda/{name}"),
                "RetentionInDays": LOG_RETENTION_DAYS,
            },
        },
        f"{prefix}Role": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "Description": sub(f"Runs {name}: only what that function uses."),
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                },
                "Policies": [
                    {
                        "PolicyName": f"flowlogic-{suffix}",
                        "PolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [*_statements(prefix, layout), _log_statement(prefix)],
                        },
                    }
                ],
            },
        },
        f"{prefix}Function": {
            "Type": "AWS::Lambda::Function",
            # The LoggingConfig's Ref orders it after its log group.
            "Properties": properties,
        },
        **_published(prefix),
    }


def _published(prefix: str) -> Node:
    """A version per code key and the alias API Gateway invokes (SnapStart needs a version)."""
    if prefix not in SNAPSTART:
        return {}
    return {
        f"{prefix}Version": {
            "Type": "AWS::Lambda::Version",
            "Properties": {
                "FunctionName": ref(f"{prefix}Function"),
                # A new package (a new key) changes the description: a new version is published.
                "Description": sub("package ${CodeKey}"),
            },
        },
        f"{prefix}Alias": {
            "Type": "AWS::Lambda::Alias",
            "Properties": {
                "Name": LIVE_ALIAS,
                "FunctionName": ref(f"{prefix}Function"),
                "FunctionVersion": get_att(f"{prefix}Version", "Version"),
            },
        },
    }


def invoked(prefix: str) -> Node:
    """What callers invoke: the live alias of a SnapStart function (its ARN, qualified by the
    alias name, which the alias resource creates), else the function."""
    if prefix in SNAPSTART:
        return sub(f"${{{prefix}Function.Arn}}:{LIVE_ALIAS}")
    return get_att(f"{prefix}Function", "Arn")


def _secret_statement(prefix: str) -> list[Node]:
    names = FUNCTION_SECRETS[prefix]
    if not names:
        return []
    parameter_arn = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter"
    return [
        {
            # SecureStrings under the AWS managed key aws/ssm, whose key policy lets the
            # account's principals decrypt through SSM: no KMS grant is needed here.
            "Sid": "ReadOwnSecrets",
            "Effect": "Allow",
            "Action": "ssm:GetParameters",
            "Resource": [sub(parameter_arn + SECRET_PARAMETERS[name]) for name in names],
        }
    ]


def _statements(prefix: str, layout: Layout) -> list[Node]:
    return [*_data_statements(prefix, layout), *_secret_statement(prefix)]


def _data_statements(prefix: str, layout: Layout) -> list[Node]:
    key_use = {
        "Sid": "TableKeyThroughDynamoDB",
        "Effect": "Allow",
        "Action": list(TABLE_KEY_ACTIONS),
        "Resource": get_att("TableKey", "Arn"),
        "Condition": {
            "StringEquals": {"kms:ViaService": sub("dynamodb.${AWS::Region}.amazonaws.com")}
        },
    }
    if prefix == HTTP:
        return [
            _table_statement("UserTablesAndIndexes", HTTP_TABLE_ACTIONS, "http", layout),
            _layout_check_statement(layout),
            key_use,
            {
                "Sid": "PresignVideoUploads",
                "Effect": "Allow",
                "Action": "s3:PutObject",
                "Resource": sub("arn:${AWS::Partition}:s3:::${VideoBucket}/videos/*"),
            },
        ]
    if prefix == WEBHOOK:
        return [
            _table_statement("SubscriptionTables", WEBHOOK_TABLE_ACTIONS, "webhook", layout),
            _layout_check_statement(layout),
            key_use,
        ]
    if prefix == REMINDERS:
        return [
            # Users with open tasks come from the open-task index alone (no table read).
            _table_statement("QueryTheDateIndex", ("dynamodb:Query",), "reminders", layout),
            _layout_check_statement(layout),
            {**key_use, "Action": ["kms:Decrypt", "kms:DescribeKey"]},  # it only reads
            {
                "Sid": "PublishReminders",
                "Effect": "Allow",
                "Action": "events:PutEvents",
                "Resource": get_att("EventBus", "Arn"),
            },
        ]
    return [
        {
            "Sid": "ReadTableStreams",
            "Effect": "Allow",
            "Action": list(STREAM_ACTIONS),
            "Resource": [get_att(table_id(t), "StreamArn") for t in _streamed_tables(layout)],
        },
        {
            # Stream records of a table encrypted with the key are decrypted with it.
            "Sid": "DecryptStreamRecords",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": get_att("TableKey", "Arn"),
        },
        {
            "Sid": "PublishDomainEvents",
            "Effect": "Allow",
            "Action": "events:PutEvents",
            "Resource": get_att("EventBus", "Arn"),
        },
        {
            "Sid": "ReportRecordsGivenUpOn",
            "Effect": "Allow",
            "Action": "sqs:SendMessage",
            "Resource": get_att("StreamFailureQueue", "Arn"),
        },
    ]


def _log_statement(prefix: str) -> Node:
    return {
        "Sid": "OwnLogGroup",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": get_att(f"{prefix}LogGroup", "Arn"),
    }


def _environment(prefix: str, layout: Layout) -> Node:
    """API.md's configuration; secrets are named (read at init), never resolved into it."""
    variables: Node = {
        "FLOWLOGIC_PROFILE": "aws",
        "FLOWLOGIC_STAGE": ref("Stage"),
        # The layout of the tables this template declares (decision 138 refuses any other).
        "FLOWLOGIC_TABLE_LAYOUT": layout.name,
        "FLOWLOGIC_LOG_LEVEL": "INFO",
    }
    if prefix in (STREAM, REMINDERS):
        variables["FLOWLOGIC_EVENT_BUS"] = get_att("EventBus", "Name")
        return variables
    if prefix == HTTP:
        variables["FLOWLOGIC_VIDEO_BUCKET"] = ref("VideoBucket")
    variables["FLOWLOGIC_SECRET_PARAMETERS"] = sub(
        ",".join(f"{name}={SECRET_PARAMETERS[name]}" for name in FUNCTION_SECRETS[prefix])
    )
    for tier in ("basic", "pro", "proplus"):
        variables[f"STRIPE_PRICE_{tier.upper()}"] = sub(
            "{{resolve:ssm:" + STRIPE_PRICE_PARAMETER + tier + "}}"
        )
    return variables


def _reminder_schedule() -> Node:
    """A daily rule invoking the reminder function (it reminds for the UTC date it runs on)."""
    return {
        "ReminderSchedule": {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "Description": "Daily reminders for users with uncompleted tasks",
                "ScheduleExpression": REMINDER_SCHEDULE,
                "State": "ENABLED",
                "Targets": [{"Id": "reminders", "Arn": get_att(f"{REMINDERS}Function", "Arn")}],
            },
        },
        "ReminderSchedulePermission": {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "Action": "lambda:InvokeFunction",
                "FunctionName": ref(f"{REMINDERS}Function"),
                "Principal": "events.amazonaws.com",
                "SourceArn": get_att("ReminderSchedule", "Arn"),
            },
        },
    }


# --- streams ---------------------------------------------------------------------------------


def _stream_failure_queue() -> Node:
    return {
        "Type": "AWS::SQS::Queue",
        # It holds only pointers (shard, sequence numbers) to records given up on.
        "DeletionPolicy": "Delete",
        "UpdateReplacePolicy": "Delete",
        "Properties": {
            "QueueName": sub("flowlogic-${Stage}-stream-failures"),
            "MessageRetentionPeriod": 14 * 24 * 3600,
            "SqsManagedSseEnabled": True,
        },
    }


def _stream_mapping(table: Table) -> Node:
    return {
        "Type": "AWS::Lambda::EventSourceMapping",
        "Properties": {
            "EventSourceArn": get_att(table_id(table), "StreamArn"),
            "FunctionName": ref(f"{STREAM}Function"),
            # A change replaces the mapping (CloudFormation): a cut-over's switch starts fresh.
            "StartingPosition": ref("StreamStartingPosition"),
            "BatchSize": STREAM_BATCH_SIZE,
            "MaximumBatchingWindowInSeconds": 1,
            "ParallelizationFactor": 1,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "BisectBatchOnFunctionError": True,
            "MaximumRetryAttempts": STREAM_MAX_RETRIES,
            "MaximumRecordAgeInSeconds": STREAM_MAX_RECORD_AGE_SECONDS,
            "DestinationConfig": {
                "OnFailure": {"Destination": get_att("StreamFailureQueue", "Arn")}
            },
        },
    }


# --- alarms ----------------------------------------------------------------------------------


def _alarm(description: str, metric: Node, statistic: str) -> Node:
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmDescription": description,
            **metric,
            "Statistic": statistic,
            "Period": 300,
            "EvaluationPeriods": 1,
            "Threshold": 0,
            "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching",
            "AlarmActions": [ref("AlarmTopic")],
            "OKActions": [ref("AlarmTopic")],
        },
    }


def _alarms() -> Node:
    """The stream consumer gave records up (its failure queue holds any), and the API answered
    5xx (SPEC: no request gets one); both notify the alarm topic."""
    return {
        "AlarmTopic": {
            "Type": "AWS::SNS::Topic",
            "Properties": {
                "TopicName": sub("flowlogic-${Stage}-alarms"),
                "KmsMasterKeyId": "alias/aws/sns",
            },
        },
        "StreamFailuresAlarm": _alarm(
            "The stream consumer gave up on records: replay them from the failure queue.",
            {
                "Namespace": "AWS/SQS",
                "MetricName": "ApproximateNumberOfMessagesVisible",
                "Dimensions": [
                    {"Name": "QueueName", "Value": get_att("StreamFailureQueue", "QueueName")}
                ],
            },
            "Maximum",
        ),
        "HttpApi5xxAlarm": _alarm(
            "The HTTP API answered 5xx: no request should get one.",
            {
                "Namespace": "AWS/ApiGateway",
                "MetricName": "5xx",
                "Dimensions": [
                    {"Name": "ApiId", "Value": ref("HttpApi")},
                    {"Name": "Stage", "Value": "$default"},
                ],
            },
            "Sum",
        ),
    }


# --- HTTP API --------------------------------------------------------------------------------


def _http_api() -> Node:
    resources: Node = {
        "HttpApi": {
            "Type": "AWS::ApiGatewayV2::Api",
            "Properties": {"Name": sub("flowlogic-${Stage}"), "ProtocolType": "HTTP"},
        },
        "HttpApiStage": {
            "Type": "AWS::ApiGatewayV2::Stage",
            "Properties": {
                "ApiId": ref("HttpApi"),
                "StageName": "$default",
                "AutoDeploy": True,
                "DefaultRouteSettings": {
                    "ThrottlingBurstLimit": 200,
                    "ThrottlingRateLimit": 100,
                },
            },
        },
        "JwtAuthorizer": {
            "Type": "AWS::ApiGatewayV2::Authorizer",
            "Properties": {
                "ApiId": ref("HttpApi"),
                "Name": "cognito",
                "AuthorizerType": "JWT",
                "IdentitySource": ["$request.header.Authorization"],
                "JwtConfiguration": {
                    "Issuer": ref("CognitoIssuer"),
                    "Audience": ref("CognitoAudience"),
                },
            },
        },
    }
    for prefix in (HTTP, WEBHOOK):
        resources[f"{prefix}Integration"] = {
            "Type": "AWS::ApiGatewayV2::Integration",
            **({"DependsOn": [f"{prefix}Alias"]} if prefix in SNAPSTART else {}),
            "Properties": {
                "ApiId": ref("HttpApi"),
                "IntegrationType": "AWS_PROXY",
                "IntegrationUri": invoked(prefix),
                "PayloadFormatVersion": "2.0",
            },
        }
        resources[f"{prefix}InvokePermission"] = {
            "Type": "AWS::Lambda::Permission",
            **({"DependsOn": [f"{prefix}Alias"]} if prefix in SNAPSTART else {}),
            "Properties": {
                "Action": "lambda:InvokeFunction",
                "FunctionName": invoked(prefix),
                "Principal": "apigateway.amazonaws.com",
                "SourceArn": sub(
                    "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*"
                ),
            },
        }
    for route_key, prefix, needs_token in ROUTES:
        properties: Node = {
            "ApiId": ref("HttpApi"),
            "RouteKey": route_key,
            "Target": sub(f"integrations/${{{prefix}Integration}}"),
        }
        if needs_token:
            properties["AuthorizationType"] = "JWT"
            properties["AuthorizerId"] = ref("JwtAuthorizer")
        else:
            properties["AuthorizationType"] = "NONE"
        route: Node = {"Type": "AWS::ApiGatewayV2::Route", "Properties": properties}
        resources[_route_id(route_key)] = route
    return resources


def _route_id(route_key: str) -> str:
    """`ANY /v1/me/{proxy+}` → `RouteAnyV1MeProxy`."""
    words = route_key.replace("/", " ").replace("{", " ").replace("}", " ").replace("+", " ")
    return "Route" + "".join(word.capitalize() for word in words.split())


if __name__ == "__main__":
    main()
