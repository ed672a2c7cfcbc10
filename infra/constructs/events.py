"""The event bus, its archive, and for each consumer of ``oshi.web.topology.CONSUMERS``: rule -> queue -> function."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.constructs.functions import FunctionFactory, function_id
from infra.constructs.monitoring import Monitoring
from infra.constructs.nag import acknowledge
from oshi.kernel.settings import Settings
from oshi.web import topology

RULE_TARGET_RETRY_ATTEMPTS = 8
RULE_TARGET_MAX_EVENT_AGE = Duration.hours(24)
DLQ_RETENTION = Duration.days(14)  # the SQS maximum: time for an operator to redrive


class Events(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        factory: FunctionFactory,
        monitoring: Monitoring,
        audit_outbox: dynamodb.ITable | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        prod = settings.stage == "prod"
        self.bus = events.EventBus(self, "Bus", event_bus_name=settings.bus_name)
        self.bus.archive(
            "Archive",
            event_pattern=events.EventPattern(source=[settings.event_source]),
            retention=Duration.days(365 if prod else 30),
            description="Every domain event, for replay after a fix",
        )
        self.queues: dict[str, sqs.Queue] = {}
        self.dead_letter_queues: dict[str, sqs.Queue] = {}
        self.consumers: dict[str, lambda_.Function] = {}
        # Read at construction time (not import time) so tests can substitute the topology.
        for consumer in topology.CONSUMERS:
            cid = function_id(consumer.queue)
            dlq = sqs.Queue(
                self,
                f"{cid}Dlq",
                queue_name=settings.queue_name(f"{consumer.queue}-dlq"),
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
                retention_period=DLQ_RETENTION,
                removal_policy=RemovalPolicy.RETAIN if prod else RemovalPolicy.DESTROY,
            )
            queue = sqs.Queue(
                self,
                f"{cid}Queue",
                queue_name=settings.queue_name(consumer.queue),
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
                visibility_timeout=Duration.seconds(consumer.visibility_timeout_seconds),
                dead_letter_queue=sqs.DeadLetterQueue(
                    queue=dlq, max_receive_count=consumer.max_receive_count
                ),
                removal_policy=RemovalPolicy.RETAIN if prod else RemovalPolicy.DESTROY,
            )
            events.Rule(
                self,
                f"{cid}Rule",
                event_bus=self.bus,
                description=f"{', '.join(consumer.detail_types)} -> {consumer.queue}",
                event_pattern=events.EventPattern(
                    source=[settings.event_source], detail_type=list(consumer.detail_types)
                ),
                # Without a DLQ on the target, EventBridge drops an event once its retries run out.
                # The consumer's DLQ receives the same event JSON, so one redrive path serves both.
                targets=[
                    targets.SqsQueue(
                        queue,
                        dead_letter_queue=dlq,
                        retry_attempts=RULE_TARGET_RETRY_ATTEMPTS,
                        max_event_age=RULE_TARGET_MAX_EVENT_AGE,
                    )
                ],
            )
            function = factory.build(
                self,
                consumer.handler,
                memory_mb=consumer.memory_mb,
                timeout_seconds=consumer.timeout_seconds,
            )
            function.add_event_source(
                sources.SqsEventSource(
                    queue,
                    batch_size=consumer.batch_size,
                    report_batch_item_failures=True,
                    max_concurrency=consumer.max_concurrency,
                )
            )
            monitoring.alarm(
                self,
                f"{cid}DlqAlarm",
                metric=dlq.metric_approximate_number_of_messages_visible(period=Duration.minutes(5)),
                description=f"{settings.queue_name(consumer.queue)}: messages in the dead-letter queue",
            )
            self.queues[consumer.queue] = queue
            self.dead_letter_queues[consumer.queue] = dlq
            self.consumers[consumer.handler] = function
        self.schedules: dict[str, lambda_.Function] = {}
        self.schedule_dead_letter_queues: dict[str, sqs.Queue] = {}
        # oshi.web.topology.SCHEDULES: a rate rule on the default bus invokes the function. The next tick
        # does the same work again (the handlers are idempotent sweeps), but a tick EventBridge could not
        # deliver after its retries lands in the schedule's DLQ (alarmed) rather than vanishing: a sweeper
        # that silently stops running leaves stock reserved. Failed runs alarm below.
        for schedule in topology.SCHEDULES:
            cid = function_id(schedule.name)
            function = factory.build(
                self, schedule.handler, memory_mb=schedule.memory_mb, timeout_seconds=schedule.timeout_seconds
            )
            schedule_dlq = sqs.Queue(
                self,
                f"{cid}ScheduleDlq",
                queue_name=settings.queue_name(f"{schedule.name}-schedule-dlq"),
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
                retention_period=DLQ_RETENTION,
                removal_policy=RemovalPolicy.RETAIN if prod else RemovalPolicy.DESTROY,
            )
            events.Rule(
                self,
                f"{cid}Schedule",
                description=f"every {schedule.every_minutes} min -> {schedule.handler}",
                schedule=events.Schedule.rate(Duration.minutes(schedule.every_minutes)),
                targets=[
                    targets.LambdaFunction(
                        function,
                        dead_letter_queue=schedule_dlq,
                        retry_attempts=2,
                        max_event_age=Duration.minutes(max(schedule.every_minutes, 1)),
                    )
                ],
            )
            monitoring.alarm(
                self,
                f"{cid}ScheduleDlqAlarm",
                metric=schedule_dlq.metric_approximate_number_of_messages_visible(period=Duration.minutes(5)),
                description=f"{schedule.name}: schedule ticks EventBridge could not deliver (DLQ)",
            )
            acknowledge(
                schedule_dlq,
                "AwsSolutions-SQS3",
                "This queue is a dead-letter queue (the schedule rule target's); nothing consumes it.",
            )
            self.schedule_dead_letter_queues[schedule.name] = schedule_dlq
            monitoring.alarm(
                self,
                f"{cid}ErrorsAlarm",
                metric=function.metric_errors(period=Duration.minutes(15)),
                description=f"{schedule.name} ({schedule.handler}): failed runs",
            )
            self.schedules[schedule.handler] = function
        if audit_outbox is not None:
            self._audit_chainer(audit_outbox)

    def _audit_chainer(self, outbox: dynamodb.ITable) -> None:
        """The audit outbox's stream -> the chainer (issue 21, oshi.audit). One invocation at a time
        (reserved concurrency 1, one batch per shard): the chain's order is never raced for. A batch that
        still fails after its retries leaves its entries in the outbox, where the chainer's schedule (the
        sweep, above) finds them: nothing is lost, so no on-failure destination is needed."""
        function = self.schedules[topology.AUDIT_CHAINER]
        cfn = function.node.default_child
        assert isinstance(cfn, lambda_.CfnFunction)
        cfn.reserved_concurrent_executions = 1
        function.add_event_source(
            sources.DynamoEventSource(
                outbox,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=100,
                max_batching_window=Duration.seconds(1),
                parallelization_factor=1,
                retry_attempts=5,
                bisect_batch_on_error=False,
                filters=[lambda_.FilterCriteria.filter({"eventName": lambda_.FilterRule.is_equal("INSERT")})],
            )
        )
