"""The admins' alert topic, a dashboard, and the helper every construct uses to raise an alarm."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from oshi.kernel.settings import Settings


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        alert_emails: list[str],
    ) -> None:
        super().__init__(scope, construct_id)
        self.settings = settings
        # Its own key: CloudWatch must be allowed to use it, and that must not extend to the data key.
        key = kms.Key(
            self,
            "AlertsKey",
            alias=f"alias/{settings.prefix}-alerts",
            description="oshi: encryption of the admin alert topic",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN if settings.stage == "prod" else RemovalPolicy.DESTROY,
        )
        self.topic = sns.Topic(
            self,
            "AdminAlerts",
            display_name=f"oshi {settings.stage} alerts",
            master_key=key,
            enforce_ssl=True,
        )
        # CloudWatch alarms publish to an encrypted topic only if they may use its key.
        key.grant_encrypt_decrypt(iam.ServicePrincipal("cloudwatch.amazonaws.com"))
        for email in alert_emails:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))
        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=f"{settings.prefix}-overview")
        self.alarms: list[cloudwatch.Alarm] = []

    def alarm(
        self,
        scope: Construct,
        construct_id: str,
        *,
        metric: cloudwatch.IMetric,
        description: str,
        threshold: float = 1,
    ) -> cloudwatch.Alarm:
        """Alarm when ``metric`` reaches ``threshold`` in one 5-minute period; notifies the admins."""
        alarm = cloudwatch.Alarm(
            scope,
            construct_id,
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        self.alarms.append(alarm)
        self.dashboard.add_widgets(cloudwatch.AlarmWidget(title=description, alarm=alarm, width=12))
        return alarm

    def graph(self, title: str, metrics: list[cloudwatch.IMetric]) -> None:
        self.dashboard.add_widgets(cloudwatch.GraphWidget(title=title, left=metrics, width=12))
