"""Acknowledging cdk-nag findings (cdk-nag v3 reads CDK's native ``Validations.of().acknowledge``)."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct


def acknowledge(scope: IConstruct, rule_id: str, reason: str) -> None:
    """Accept a finding on ``scope`` (and, as CDK resolves acknowledgments, its children), with a reason.

    ``rule_id`` is a rule (``AwsSolutions-S1``) or one finding of it (``AwsSolutions-IAM5[Resource::*]``).
    """
    Validations.of(scope).acknowledge(Acknowledgment(id=rule_id, reason=reason))
