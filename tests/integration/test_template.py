"""The deployment templates of both layouts: generated from the layout's table definitions and
grants, lint-clean, least-privilege, deployable.

moto's CloudFormation creates the tables, roles, functions, bus and stream mappings (it skips the
ApiGatewayV2 resources and drops SSE and PITR), so those are asserted on the template itself.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from cfnlint.api import ManualArgs, lint_file  # type: ignore[import-untyped]

from adapters.dynamodb import keys
from adapters.dynamodb.layout import LAYOUTS, Layout, layout_for
from adapters.dynamodb.layout_multi import STRIPE_CUSTOMER_INDEX, TABLES
from adapters.dynamodb.tables import Table, create_table_request
from infra.template import (
    SECRET_PARAMETERS,
    TEMPLATE_FILES,
    build_template,
    render,
    stream_mapping_id,
    table_id,
    template_layout,
)
from tests.support.dynamodb_backend import embedded_server

INFRA = Path(__file__).resolve().parents[2] / "infra"
SINGLE = template_layout("single")
(SINGLE_TABLE,) = SINGLE.tables()
# moto warns that it skips the ApiGatewayV2 resources (the template's API is checked above).
pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse AWS..ApiGatewayV2")


def template_file(layout_name: str) -> Path:
    return INFRA / TEMPLATE_FILES[layout_name]


@pytest.fixture(scope="module", params=LAYOUTS)
def layout_name(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture(scope="module")
def layout(layout_name: str) -> Layout:
    return template_layout(layout_name)


@pytest.fixture(scope="module")
def template(layout_name: str) -> dict[str, Any]:
    """The committed template of the layout, parsed."""
    loaded: dict[str, Any] = yaml.safe_load(template_file(layout_name).read_text())
    return loaded


@pytest.fixture(scope="module")
def multi_template() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(template_file("multi").read_text())
    return loaded


@pytest.fixture(scope="module")
def single_template() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(template_file("single").read_text())
    return loaded


def leading_keys(template: dict[str, Any], role: str, action_prefix: str) -> list[list[str]]:
    """The LeadingKeys patterns of each of a role's statements with such actions."""
    return [
        statement.get("Condition", {})
        .get("ForAllValues:StringLike", {})
        .get("dynamodb:LeadingKeys", [])
        for statement in statements_of(template, role)
        if statement.get("Sid") != "CheckTheTableLayout"
        and any(a.startswith(action_prefix) for a in as_list(statement["Action"]))
    ]


def resources_of(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def statements_of(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    (policy,) = template["Resources"][role]["Properties"]["Policies"]
    statements: list[dict[str, Any]] = policy["PolicyDocument"]["Statement"]
    return statements


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def granted(template: dict[str, Any], role: str, action_prefix: str) -> list[str]:
    """The resources (as JSON text) a role may act on with actions starting `action_prefix`
    (but for the layout check's DescribeTable, tested on its own)."""
    return sorted(
        json.dumps(resource, sort_keys=True)
        for statement in statements_of(template, role)
        if statement.get("Sid") != "CheckTheTableLayout"
        and any(a.startswith(action_prefix) for a in as_list(statement["Action"]))
        for resource in as_list(statement["Resource"])
    )


def table_and_index_arns(tables: list[Table], indexes: set[str] | None = None) -> list[str]:
    arns: list[Any] = []
    for table in tables:
        arns.append({"Fn::GetAtt": [table_id(table), "Arn"]})
        arns.extend(
            {"Fn::Sub": f"${{{table_id(table)}.Arn}}/index/{index.name}"}
            for index in table.indexes
            if indexes is None or index.name in indexes
        )
    return sorted(json.dumps(arn, sort_keys=True) for arn in arns)


# --- the file is generated -----------------------------------------------------------------


@pytest.mark.parametrize("name", LAYOUTS)
def test_the_committed_template_is_the_generated_one(name: str) -> None:
    assert template_file(name).read_text() == render(build_template(name), name), (
        f"regenerate: python -m infra.template --layout {name} > infra/{TEMPLATE_FILES[name]}"
    )


@pytest.mark.parametrize("name", LAYOUTS)
def test_cfn_lint_reports_nothing_not_even_informational_notes(name: str) -> None:
    config = ManualArgs(regions=["us-east-1", "eu-west-1"], include_checks=["I"])

    matches = lint_file(template_file(name), config=config)

    assert [str(match) for match in matches] == []


# --- tables and the key ----------------------------------------------------------------------


def test_every_table_is_encrypted_with_the_stack_key_recoverable_protected_and_on_demand(
    template: dict[str, Any], layout: Layout
) -> None:
    tables = resources_of(template, "AWS::DynamoDB::Table")

    assert set(tables) == {table_id(t) for t in layout.tables()}
    for table in tables.values():
        properties = table["Properties"]
        assert properties["SSESpecification"] == {
            "SSEEnabled": True,
            "SSEType": "KMS",
            "KMSMasterKeyId": {"Ref": "TableKey"},
        }
        assert properties["PointInTimeRecoverySpecification"] == {
            "PointInTimeRecoveryEnabled": True
        }
        assert properties["DeletionProtectionEnabled"] is True
        assert properties["BillingMode"] == "PAY_PER_REQUEST"
        assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"


def test_each_table_declares_the_global_and_local_indexes_of_its_definition(
    template: dict[str, Any], layout: Layout
) -> None:
    for table in layout.tables():
        properties = template["Resources"][table_id(table)]["Properties"]
        request = create_table_request(table, "")
        for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            assert properties.get(kind) == request.get(kind), (table.logical, kind)


def test_the_multi_assessments_table_keeps_its_local_index(multi_template: dict[str, Any]) -> None:
    assessments = multi_template["Resources"]["AssessmentsTable"]["Properties"]
    assert [i["IndexName"] for i in assessments["LocalSecondaryIndexes"]] == ["created-index"]


def test_the_single_table_is_one_generic_table_with_global_indexes_only(
    single_template: dict[str, Any],
) -> None:
    tables = resources_of(single_template, "AWS::DynamoDB::Table")

    assert list(tables) == [table_id(SINGLE_TABLE)]
    properties = tables[table_id(SINGLE_TABLE)]["Properties"]
    assert properties["TableName"] == {"Fn::Sub": "flowlogic-${Stage}"}
    assert properties["KeySchema"] == [
        {"AttributeName": "PK", "KeyType": "HASH"},
        {"AttributeName": "SK", "KeyType": "RANGE"},
    ]
    assert {d["AttributeType"] for d in properties["AttributeDefinitions"]} == {"S"}
    assert "LocalSecondaryIndexes" not in properties  # it would cap a user's items at 10 GB
    assert len(properties["GlobalSecondaryIndexes"]) == len(SINGLE_TABLE.indexes)


def test_every_table_but_migrations_streams_new_and_old_images(
    template: dict[str, Any], layout: Layout
) -> None:
    for table in layout.tables():
        properties = template["Resources"][table_id(table)]["Properties"]
        if table.logical == keys.MIGRATIONS:
            assert "StreamSpecification" not in properties
        else:
            assert properties["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}


def test_stream_mappings_start_where_the_deploy_says_trim_horizon_unless_a_cut_over_says_latest(
    template: dict[str, Any],
) -> None:
    parameter = template["Parameters"]["StreamStartingPosition"]
    assert parameter["AllowedValues"] == ["TRIM_HORIZON", "LATEST"]
    assert parameter["Default"] == "TRIM_HORIZON"
    mappings = [
        resource["Properties"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::Lambda::EventSourceMapping"
    ]
    assert mappings
    for properties in mappings:
        assert properties["StartingPosition"] == {"Ref": "StreamStartingPosition"}


def test_the_table_key_is_customer_managed_rotated_and_has_a_key_policy(
    template: dict[str, Any],
) -> None:
    key = template["Resources"]["TableKey"]

    assert key["Type"] == "AWS::KMS::Key"
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["Properties"]["KeyPolicy"]["Statement"]
    assert key["DeletionPolicy"] == "Retain"


# --- functions and their roles ---------------------------------------------------------------


def test_four_python_functions_run_the_four_handlers_from_the_code_parameters(
    template: dict[str, Any], layout: Layout
) -> None:
    functions = resources_of(template, "AWS::Lambda::Function")

    handlers = {f["Properties"]["Handler"] for f in functions.values()}
    assert handlers == {
        "infra.lambda_http.handler",
        "infra.lambda_webhook.handler",
        "infra.lambda_stream.handler",
        "infra.lambda_reminders.handler",
    }
    roles = {json.dumps(f["Properties"]["Role"]) for f in functions.values()}
    assert len(roles) == 4
    for function in functions.values():
        properties = function["Properties"]
        assert properties["Runtime"] == "python3.12"
        assert properties["Code"] == {
            "S3Bucket": {"Ref": "CodeBucket"},
            "S3Key": {"Ref": "CodeKey"},
        }
        variables = properties["Environment"]["Variables"]
        assert variables["FLOWLOGIC_PROFILE"] == "aws"
        assert variables["FLOWLOGIC_STAGE"] == {"Ref": "Stage"}
        assert variables["FLOWLOGIC_TABLE_LAYOUT"] == layout.name


def test_secrets_are_named_parameters_never_values_and_each_role_reads_only_its_own(
    template: dict[str, Any],
) -> None:
    functions = resources_of(template, "AWS::Lambda::Function")
    parameter = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter"
    expected = {
        "Http": ["FLOWLOGIC_JWT_SECRET", "STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET"],
        "Webhook": ["STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET"],
        "Stream": [],
        "Reminders": [],
    }
    for prefix, secrets in expected.items():
        variables = functions[f"{prefix}Function"]["Properties"]["Environment"]["Variables"]
        assert not {"FLOWLOGIC_JWT_SECRET", "STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET"} & set(
            variables
        )
        assert "resolve:secretsmanager" not in json.dumps(variables)
        names = {name: SECRET_PARAMETERS[name] for name in secrets}
        if secrets:
            assert variables["FLOWLOGIC_SECRET_PARAMETERS"] == {
                "Fn::Sub": ",".join(f"{k}={v}" for k, v in names.items())
            }
        else:
            assert "FLOWLOGIC_SECRET_PARAMETERS" not in variables
        assert granted(template, f"{prefix}Role", "ssm:") == sorted(
            json.dumps({"Fn::Sub": parameter + name}, sort_keys=True) for name in names.values()
        )
    for prefix in ("Http", "Webhook"):
        variables = functions[f"{prefix}Function"]["Properties"]["Environment"]["Variables"]
        for key in ("STRIPE_PRICE_BASIC", "STRIPE_PRICE_PRO", "STRIPE_PRICE_PROPLUS"):
            assert variables[key]["Fn::Sub"].startswith("{{resolve:ssm:")


def test_every_function_runs_on_arm64_logs_json_into_its_own_group_with_retention(
    template: dict[str, Any],
) -> None:
    functions = resources_of(template, "AWS::Lambda::Function")
    groups = resources_of(template, "AWS::Logs::LogGroup")

    assert len(functions) == len(groups) == 4
    for name, function in functions.items():
        properties = function["Properties"]
        prefix = name.removesuffix("Function")
        assert properties["Architectures"] == ["arm64"]
        assert properties["LoggingConfig"] == {
            "LogFormat": "JSON",
            "LogGroup": {"Ref": f"{prefix}LogGroup"},
        }
        group = groups[f"{prefix}LogGroup"]["Properties"]
        assert group["RetentionInDays"] == 90
        assert group["LogGroupName"] == {
            "Fn::Sub": "/aws/lambda/" + properties["FunctionName"]["Fn::Sub"]
        }


def test_the_api_functions_are_invoked_through_snapstart_aliases_of_published_versions(
    template: dict[str, Any],
) -> None:
    resources = template["Resources"]
    functions = resources_of(template, "AWS::Lambda::Function")

    snapstart = sorted(n for n, f in functions.items() if "SnapStart" in f["Properties"])
    assert snapstart == ["HttpFunction", "WebhookFunction"]
    for prefix in ("Http", "Webhook"):
        function = functions[f"{prefix}Function"]["Properties"]
        assert function["SnapStart"] == {"ApplyOn": "PublishedVersions"}
        assert function["Runtime"] >= "python3.12"
        version = resources[f"{prefix}Version"]["Properties"]
        assert version["FunctionName"] == {"Ref": f"{prefix}Function"}
        assert "${CodeKey}" in version["Description"]["Fn::Sub"]  # a new package, a new version
        alias = resources[f"{prefix}Alias"]["Properties"]
        assert alias["Name"] == "live"
        assert alias["FunctionVersion"] == {"Fn::GetAtt": [f"{prefix}Version", "Version"]}
        live = {"Fn::Sub": f"${{{prefix}Function.Arn}}:live"}
        for name, key in (
            (f"{prefix}Integration", "IntegrationUri"),
            (f"{prefix}InvokePermission", "FunctionName"),
        ):
            assert resources[name]["Properties"][key] == live
            assert resources[name]["DependsOn"] == [f"{prefix}Alias"]


def test_alarms_watch_the_stream_failure_queue_and_the_apis_5xx_and_notify_the_topic(
    template: dict[str, Any],
) -> None:
    alarms = resources_of(template, "AWS::CloudWatch::Alarm")

    queue = alarms["StreamFailuresAlarm"]["Properties"]
    assert (queue["Namespace"], queue["MetricName"]) == (
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
    )
    assert queue["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["StreamFailureQueue", "QueueName"]}}
    ]
    api = alarms["HttpApi5xxAlarm"]["Properties"]
    assert (api["Namespace"], api["MetricName"], api["Statistic"]) == (
        "AWS/ApiGateway",
        "5xx",
        "Sum",
    )
    assert {"Name": "ApiId", "Value": {"Ref": "HttpApi"}} in api["Dimensions"]
    for alarm in (queue, api):
        assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]
        assert alarm["TreatMissingData"] == "notBreaching"


def test_the_templates_own_text_matches_what_it_declares(template: dict[str, Any]) -> None:
    words = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    tables = len(resources_of(template, "AWS::DynamoDB::Table"))
    counts = {words[tables - 1]: "AWS::DynamoDB::Table", "four": "AWS::Lambda::Function"}
    text = " ".join(
        [template["Description"]] + [p["Description"] for p in template["Parameters"].values()]
    ).lower()

    for word, kind in counts.items():
        assert len(resources_of(template, kind)) == words.index(word) + 1
        assert word in text
    stated = {word for word in words if f" {word} " in f" {text} "} - {"one"}
    assert stated == set(counts) - {"one"}, stated
    assert "arm64" in text
    assert "snapstart" in text
    assert "python 3.12" in text
    assert "alarms" in text
    assert resources_of(template, "AWS::CloudWatch::Alarm")
    import infra.template as module

    assert "three functions" not in (module.__doc__ or "")


def test_no_role_is_granted_a_wildcard_action_or_resource(template: dict[str, Any]) -> None:
    for role in ("HttpRole", "WebhookRole", "StreamRole", "RemindersRole"):
        for statement in statements_of(template, role):
            assert all("*" not in action for action in as_list(statement["Action"])), role
            assert "*" not in as_list(statement["Resource"]), role


def test_the_http_function_reaches_the_seven_user_tables_and_their_indexes_only(
    multi_template: dict[str, Any],
) -> None:
    template = multi_template
    user_tables = [t for t in TABLES if t.logical in keys.USER_TABLES]

    assert granted(template, "HttpRole", "dynamodb:") == table_and_index_arns(user_tables)
    assert granted(template, "HttpRole", "kms:") == [
        json.dumps({"Fn::GetAtt": ["TableKey", "Arn"]})
    ]
    assert leading_keys(template, "HttpRole", "dynamodb:") == [[]]


def test_on_one_table_the_http_function_may_address_every_partition_but_the_migrations(
    single_template: dict[str, Any],
) -> None:
    template = single_template

    assert granted(template, "HttpRole", "dynamodb:") == table_and_index_arns([SINGLE_TABLE])
    (patterns,) = leading_keys(template, "HttpRole", "dynamodb:")
    assert "USER#*" in patterns
    assert "EMAIL#*" in patterns
    assert not any(p == "*" or "MIGRATION".startswith(p.rstrip("*")) for p in patterns)
    statement = statements_of(template, "HttpRole")[0]
    assert set(statement["Condition"]) == {"ForAllValues:StringLike"}


def test_the_webhook_reaches_users_subscriptions_limits_and_the_customer_index_only(
    multi_template: dict[str, Any],
) -> None:
    template = multi_template
    tables = [t for t in TABLES if t.logical in (keys.USERS, keys.SUBSCRIPTIONS, keys.USER_LIMITS)]

    assert granted(template, "WebhookRole", "dynamodb:") == table_and_index_arns(
        tables, {STRIPE_CUSTOMER_INDEX}
    )


def test_on_one_table_the_webhook_reaches_user_and_customer_partitions_only(
    single_template: dict[str, Any],
) -> None:
    template = single_template

    assert granted(template, "WebhookRole", "dynamodb:") == table_and_index_arns(
        [SINGLE_TABLE], {"GSI1"}
    )
    assert leading_keys(template, "WebhookRole", "dynamodb:") == [["CUSTOMER#*", "USER#*"]]


@pytest.mark.parametrize("role", ["HttpRole", "WebhookRole", "RemindersRole"])
def test_functions_may_describe_both_layouts_tables_to_refuse_the_wrong_one(
    template: dict[str, Any], layout: Layout, role: str
) -> None:
    (check,) = [s for s in statements_of(template, role) if s["Sid"] == "CheckTheTableLayout"]
    names = [*template_layout("multi").table_names(), *template_layout("single").table_names()]

    assert check["Action"] == "dynamodb:DescribeTable"
    assert sorted(r["Fn::Sub"].rsplit("/", 1)[1] for r in check["Resource"]) == sorted(names)
    assert all(":table/flowlogic-${Stage}" in r["Fn::Sub"] for r in check["Resource"])


def test_the_webhook_never_deletes_nor_scans(template: dict[str, Any]) -> None:
    actions = {
        action
        for statement in statements_of(template, "WebhookRole")
        for action in as_list(statement["Action"])
    }
    assert "dynamodb:DeleteItem" not in actions
    assert "dynamodb:Scan" not in actions


def test_the_stream_consumer_reads_streams_puts_events_and_decrypts_only(
    template: dict[str, Any], layout: Layout
) -> None:
    actions = {
        action
        for statement in statements_of(template, "StreamRole")
        for action in as_list(statement["Action"])
    }

    assert actions == {
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
        "events:PutEvents",
        "kms:Decrypt",
        "sqs:SendMessage",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    }
    streams = sorted(
        json.dumps({"Fn::GetAtt": [table_id(t), "StreamArn"]}, sort_keys=True)
        for t in layout.tables()
        if t.stream
    )
    assert granted(template, "StreamRole", "dynamodb:") == streams
    assert granted(template, "StreamRole", "events:") == [
        json.dumps({"Fn::GetAtt": ["EventBus", "Arn"]})
    ]


def test_the_reminder_job_queries_the_date_index_and_puts_events_only(
    template: dict[str, Any],
) -> None:
    actions = {
        action
        for statement in statements_of(template, "RemindersRole")
        for action in as_list(statement["Action"])
    }

    assert actions == {
        "dynamodb:DescribeTable",
        "dynamodb:Query",
        "events:PutEvents",
        "kms:Decrypt",
        "kms:DescribeKey",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    }
    rule = template["Resources"]["ReminderSchedule"]["Properties"]
    assert rule["ScheduleExpression"].startswith("cron(")
    assert rule["Targets"][0]["Arn"] == {"Fn::GetAtt": ["RemindersFunction", "Arn"]}


def test_the_reminder_job_reaches_the_date_index_only(multi_template: dict[str, Any]) -> None:
    assert granted(multi_template, "RemindersRole", "dynamodb:") == [
        json.dumps({"Fn::Sub": "${CalendarTasksTable.Arn}/index/date-index"})
    ]
    assert leading_keys(multi_template, "RemindersRole", "dynamodb:") == [[]]


def test_on_one_table_the_reminder_job_reaches_the_open_task_partitions_of_its_index_only(
    single_template: dict[str, Any],
) -> None:
    # The index is overloaded (it also finds users by email): only its OPEN# partitions.
    assert granted(single_template, "RemindersRole", "dynamodb:") == [
        json.dumps({"Fn::Sub": "${SingleTable.Arn}/index/GSI1"})
    ]
    assert leading_keys(single_template, "RemindersRole", "dynamodb:") == [["OPEN#*"]]
    assert SINGLE.open_tasks(date(2026, 1, 1), 0, None)["ExpressionAttributeValues"][":pk"][
        "S"
    ].startswith("OPEN#")


# --- streams and the HTTP API ----------------------------------------------------------------


def test_each_table_stream_feeds_the_consumer_with_partial_failures_and_bounded_retries(
    template: dict[str, Any], layout: Layout
) -> None:
    mappings = resources_of(template, "AWS::Lambda::EventSourceMapping")

    assert set(mappings) == {stream_mapping_id(t) for t in layout.tables() if t.stream}
    for table in (t for t in layout.tables() if t.stream):
        properties = mappings[stream_mapping_id(table)]["Properties"]
        assert properties["EventSourceArn"] == {"Fn::GetAtt": [table_id(table), "StreamArn"]}
        assert properties["FunctionName"] == {"Ref": "StreamFunction"}
        assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert properties["BisectBatchOnFunctionError"] is True
        assert 0 <= properties["MaximumRetryAttempts"] <= 10
        assert properties["MaximumRecordAgeInSeconds"] > 0


def test_user_worker_and_admin_routes_need_a_cognito_token_and_the_webhook_none(
    template: dict[str, Any],
) -> None:
    routes = {
        r["Properties"]["RouteKey"]: r["Properties"]
        for r in resources_of(template, "AWS::ApiGatewayV2::Route").values()
    }
    authorizer = template["Resources"]["JwtAuthorizer"]["Properties"]

    assert authorizer["AuthorizerType"] == "JWT"
    assert authorizer["JwtConfiguration"] == {
        "Issuer": {"Ref": "CognitoIssuer"},
        "Audience": {"Ref": "CognitoAudience"},
    }
    for key in (
        "ANY /v1/me",
        "ANY /v1/me/{proxy+}",
        "ANY /v1/worker/{proxy+}",
        "ANY /v1/admin/{proxy+}",
    ):
        assert routes[key]["AuthorizationType"] == "JWT"
        assert routes[key]["AuthorizerId"] == {"Ref": "JwtAuthorizer"}
        assert routes[key]["Target"] == {"Fn::Sub": "integrations/${HttpIntegration}"}
    webhook = routes["POST /v1/stripe/webhook"]
    assert webhook["AuthorizationType"] == "NONE"
    assert "AuthorizerId" not in webhook
    assert webhook["Target"] == {"Fn::Sub": "integrations/${WebhookIntegration}"}


# --- deployed into moto ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def moto_url() -> str:
    """The test process's one moto server (tests/support/dynamodb_backend.py); it serves every
    service, not only DynamoDB."""
    return embedded_server().start()


def without_aliases(template: dict[str, Any]) -> dict[str, Any]:
    """The template as moto can deploy it: moto has no Lambda aliases, so what invokes a
    function's `live` alias names the function itself (the aliases are asserted above)."""
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        for prefix in ("Http", "Webhook"):
            if properties.get("FunctionName") == {"Fn::Sub": f"${{{prefix}Function.Arn}}:live"}:
                properties["FunctionName"] = {"Ref": f"{prefix}Function"}
                resource.pop("DependsOn", None)
    return template


@pytest.fixture(scope="module")
def deployed(moto_url: str, layout_name: str) -> tuple[str, dict[str, Any]]:
    """The committed template of the layout deployed as a stack of a fresh stage; its stage
    and options."""
    options: dict[str, Any] = {
        "endpoint_url": moto_url,
        "region_name": "us-east-1",
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    stage = "tpl" + uuid.uuid4().hex[:8]
    s3 = boto3.client("s3", **options)
    s3.create_bucket(Bucket=f"code-{stage}")
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("infra/__init__.py", "")
    s3.put_object(Bucket=f"code-{stage}", Key="flowlogic.zip", Body=package.getvalue())
    parameters = {
        "Stage": stage,
        "CodeBucket": f"code-{stage}",
        "CodeKey": "flowlogic.zip",
        "VideoBucket": f"videos-{stage}",
        "CognitoIssuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example",
        "CognitoAudience": "client-a,client-b",
    }
    cloudformation = boto3.client("cloudformation", **options)
    cloudformation.create_stack(
        StackName=f"flowlogic-{stage}",
        TemplateBody=json.dumps(
            without_aliases(yaml.safe_load(template_file(layout_name).read_text()))
        ),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=["CAPABILITY_IAM"],
    )
    stack = cloudformation.describe_stacks(StackName=f"flowlogic-{stage}")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    return stage, options


def test_the_deployed_tables_have_the_keys_indexes_and_stream_the_adapters_expect(
    deployed: tuple[str, dict[str, Any]], layout_name: str
) -> None:
    stage, options = deployed
    layout = layout_for(layout_name, stage, 1)
    dynamodb = boto3.client("dynamodb", **options)
    for table in layout.tables():
        name = layout.physical(table)
        found = dynamodb.describe_table(TableName=name)["Table"]
        _check_deployed(found, table, create_table_request(table, name))


def _check_deployed(found: Any, table: Table, expected: dict[str, Any]) -> None:
    assert found["KeySchema"] == expected["KeySchema"]
    assert sorted(found["AttributeDefinitions"], key=str) == sorted(
        expected["AttributeDefinitions"], key=str
    )
    described: dict[str, Any] = {**found}
    for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        indexes = {
            index["IndexName"]: (index["KeySchema"], index["Projection"])
            for index in described.get(kind, [])
        }
        assert indexes == {
            index["IndexName"]: (index["KeySchema"], index["Projection"])
            for index in expected.get(kind, [])
        }, kind
    stream = found.get("StreamSpecification", {"StreamEnabled": False})
    if table.stream:
        assert stream == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    else:
        assert stream.get("StreamEnabled") is False
    assert found["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert found["DeletionProtectionEnabled"] is True


def test_the_deployed_stream_mappings_connect_every_stream_to_the_consumer(
    deployed: tuple[str, dict[str, Any]], layout_name: str
) -> None:
    stage, options = deployed
    layout = layout_for(layout_name, stage, 1)
    dynamodb = boto3.client("dynamodb", **options)
    lambdas = boto3.client("lambda", **options)

    mappings = lambdas.list_event_source_mappings(FunctionName=f"flowlogic-{stage}-stream")
    sources = {m["EventSourceArn"] for m in mappings["EventSourceMappings"]}

    streams = {
        dynamodb.describe_table(TableName=layout.physical(t))["Table"]["LatestStreamArn"]
        for t in layout.tables()
        if t.stream
    }
    assert sources == streams
    for mapping in mappings["EventSourceMappings"]:
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    stream_function = lambdas.get_function(FunctionName=f"flowlogic-{stage}-stream")
    configuration = stream_function["Configuration"]
    assert configuration["Handler"] == "infra.lambda_stream.handler"
    assert configuration["Environment"]["Variables"]["FLOWLOGIC_EVENT_BUS"] == f"flowlogic-{stage}"
