"""Asks the demo's gRPC health service with the gRPC project's own client
(PyPI grpcio + grpcio-health-checking), and prints one JSON line per answer
for examples/tests/grpc_interop.rs:

    python health_client.py 127.0.0.1:50051

Check of the server, of checks and of an unknown name; List; then a Watch of
the server that prints "watching" once it has the first status, so the test
can begin the demo's shutdown, and every status after that until the stream
ends. The end is reported with the call's status code (OK for a stream the
server ended, UNAVAILABLE for a connection that broke, ...) and when it came:
seconds after "watching" was printed and after NOT_SERVING arrived, on this
process's monotonic clock.
"""

import json
import sys
import time

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


def status_name(status):
    return health_pb2.HealthCheckResponse.ServingStatus.Name(status)


def say(**fields):
    print(json.dumps(fields), flush=True)


def main(target):
    with grpc.insecure_channel(target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        for service in ["", "readiness", "liveness", "primary_db", "cache", "no_such_check"]:
            try:
                answer = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
                say(call="Check", service=service, status=status_name(answer.status))
            except grpc.RpcError as error:
                say(call="Check", service=service, code=error.code().name)
        listed = stub.List(health_pb2.HealthListRequest(), timeout=5)
        say(call="List", statuses={name: status_name(s.status) for name, s in listed.statuses.items()})
        watch = stub.Watch(health_pb2.HealthCheckRequest(service=""), timeout=60)
        watching = not_serving = None
        try:
            for answer in watch:
                status = status_name(answer.status)
                say(call="Watch", status=status)
                if watching is None:
                    # Taken before the test can read the line and send SIGTERM.
                    watching = time.monotonic()
                    say(call="watching")
                if status == "NOT_SERVING" and not_serving is None:
                    not_serving = time.monotonic()
            code = watch.code()
        except grpc.RpcError as error:
            code = error.code()
        ended = time.monotonic()
        say(
            call="Watch",
            ended=code.name,
            after_watching_s=None if watching is None else ended - watching,
            after_not_serving_s=None if not_serving is None else ended - not_serving,
        )


if __name__ == "__main__":
    main(sys.argv[1])
