"""Mail (issue 18): the SES sending identity, a configuration set, and bounce/complaint feedback.

SES (configuration set ``<prefix>-mail``) publishes BOUNCE and COMPLAINT events to an encrypted SNS
topic, which delivers them (raw) to the ``mail-feedback`` queue (DLQ, alarm) read by ``mail.feedback``:
the suppression list (oshi.mail.suppression). The sending identity is the domain of the ``mail_from``
context value, with Easy DKIM; docs/deploy.md says how to verify it and leave the SES sandbox. Functions
whose ``infra/permissions.py`` entry has ``mail=True`` may send through that identity and configuration
set only.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct

from infra.constructs.monitoring import Monitoring
from oshi.kernel.settings import Settings
from oshi.web import topology


def configuration_set_name(settings: Settings) -> str:
    return f"{settings.prefix}-mail"


class Mail(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        monitoring: Monitoring,
        feedback: lambda_.Function,
    ) -> None:
        super().__init__(scope, construct_id)
        removal = RemovalPolicy.RETAIN if settings.stage == "prod" else RemovalPolicy.DESTROY
        self.domain = settings.mail_from.rpartition("@")[2]
        self.identity = ses.EmailIdentity(self, "Identity", identity=ses.Identity.domain(self.domain))
        self.configuration_set = ses.ConfigurationSet(
            self,
            "ConfigurationSet",
            configuration_set_name=configuration_set_name(settings),
            suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,  # SES' own list as well
        )
        key = kms.Key(self, "FeedbackKey", enable_key_rotation=True, removal_policy=removal)
        key.grant_encrypt_decrypt(iam.ServicePrincipal("ses.amazonaws.com"))
        topic = sns.Topic(self, "Feedback", master_key=key, enforce_ssl=True)
        self.configuration_set.add_event_destination(
            "BouncesAndComplaints",
            destination=ses.EventDestination.sns_topic(topic),
            events=[ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
        )
        consumer = topology.MAIL_FEEDBACK
        dlq = sqs.Queue(
            self,
            "FeedbackDlq",
            queue_name=settings.queue_name(f"{consumer.queue}-dlq"),
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=key,
            enforce_ssl=True,
            retention_period=Duration.days(14),
            removal_policy=removal,
        )
        queue = sqs.Queue(
            self,
            "FeedbackQueue",
            queue_name=settings.queue_name(consumer.queue),
            encryption=sqs.QueueEncryption.KMS,  # SNS from an encrypted topic: the queue's key must admit it
            encryption_master_key=key,
            enforce_ssl=True,
            visibility_timeout=Duration.seconds(consumer.visibility_timeout_seconds),
            dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=consumer.max_receive_count),
            removal_policy=removal,
        )
        key.grant_encrypt_decrypt(iam.ServicePrincipal("sns.amazonaws.com"))
        topic.add_subscription(subscriptions.SqsSubscription(queue, raw_message_delivery=True))
        feedback.add_event_source(
            sources.SqsEventSource(queue, batch_size=consumer.batch_size, report_batch_item_failures=True)
        )
        monitoring.alarm(
            self,
            "FeedbackDlqAlarm",
            metric=dlq.metric_approximate_number_of_messages_visible(period=Duration.minutes(5)),
            description=f"{settings.queue_name(consumer.queue)}: SES feedback that could not be recorded (DLQ)",
        )

    def grant_send(self, grantee: iam.IGrantable, scope: IConstruct) -> None:
        """Send through this identity and configuration set only."""
        stack = Stack.of(scope)
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["ses:SendEmail", "ses:SendRawEmail"],
            resource_arns=[
                stack.format_arn(service="ses", resource="identity", resource_name=self.domain),
                stack.format_arn(
                    service="ses",
                    resource="configuration-set",
                    resource_name=self.configuration_set.configuration_set_name,
                ),
            ],
        )
