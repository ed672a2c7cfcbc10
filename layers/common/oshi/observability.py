"""Powertools Logger, Tracer and Metrics, created once for every handler."""

from __future__ import annotations

import os
import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "oshi")

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(namespace="OshiGacha", service=SERVICE)

# Most invocations publish only the cold-start metric; Powertools would warn on each of them.
warnings.filterwarnings("ignore", message="No application metrics to publish")
